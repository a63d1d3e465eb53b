internal import NIOCore

/// The connection deadlines of one event loop (idle, request head, upstream response), kept in
/// one binary heap behind a single NIO scheduled task for the earliest of them.
///
/// A NIO `scheduleTask` allocates a promise, a future and a `Scheduled` and takes generic
/// metadata lookups on each; scheduling one, cancelling it and releasing it cost about 6,000
/// instructions, and a connection that serves one request used two. An entry here costs its
/// allocation, a heap insertion and a removal: moving a connection's two deadlines here took
/// 8,500 instructions (4.5%) off a request on a new connection. The one NIO task is moved only
/// when a deadline comes earlier than every other (deadlines of one timeout only come later). nginx keeps its timers the same way (one red-black tree per
/// worker behind the event loop's wait timeout), as does Envoy (one timer wheel per worker).
///
/// Entries are lazy like `DeadlineTimer`: a deadline that moves later stays queued at the
/// earlier time and is queued again for the rest when that comes. Deadlines expire when they
/// are reached, within the event loop's scheduling latency, as with a NIO task each.
///
/// Used only on its event loop.
final class LoopTimerQueue {
    private let eventLoop: any EventLoop
    /// Queued timers, a min-heap on `queuedAt`; each knows its index.
    private var heap: [LoopTimer] = []
    private var task: Scheduled<Void>?
    private var taskDeadline = NIODeadline.distantFuture
    private var firing = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// How many timers are queued (deadlines that moved later or were cleared count until
    /// their queued time comes); for tests.
    var queuedCount: Int { self.heap.count }

    /// A timer of this queue that runs `fire` when a deadline it is given passes.
    func makeTimer(_ fire: @escaping () -> Void) -> LoopTimer {
        LoopTimer(queue: self, fire: fire)
    }

    // MARK: For LoopTimer

    fileprivate func deadlineSet(_ timer: LoopTimer, to deadline: NIODeadline) {
        if timer.index < 0 {
            timer.queuedAt = deadline
            timer.index = self.heap.count
            self.heap.append(timer)
            self.siftUp(timer.index)
        } else if deadline < timer.queuedAt {
            timer.queuedAt = deadline
            self.siftUp(timer.index)
        } else {
            return
        }
        self.scheduleTaskIfEarlier(deadline)
    }

    fileprivate func remove(_ timer: LoopTimer) {
        let index = timer.index
        guard index >= 0 else { return }
        let last = self.heap.count - 1
        if index != last {
            self.heap.swapAt(index, last)
            self.heap[index].index = index
        }
        self.heap.removeLast()
        timer.index = -1
        if index < self.heap.count {
            self.siftDown(index)
            self.siftUp(index)
        }
    }

    // MARK: The NIO task

    private func scheduleTaskIfEarlier(_ deadline: NIODeadline) {
        guard !self.firing, self.task == nil || deadline < self.taskDeadline else { return }
        self.task?.cancel()
        self.taskDeadline = deadline
        self.task = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.task = nil
            self.taskDeadline = .distantFuture
            self.fireDue()
        }
    }

    private func fireDue() {
        let now = self.eventLoop.now
        var due: [LoopTimer] = []
        self.firing = true
        while let first = self.heap.first, first.queuedAt <= now {
            self.remove(first)
            guard let deadline = first.deadline else { continue }
            if deadline <= now {
                first.deadline = nil
                first.isDue = true
                due.append(first)
            } else {
                self.deadlineSet(first, to: deadline)
            }
        }
        self.firing = false
        // A timer fired before this one may have cleared, re-set or cancelled it (its owner
        // closing, even going away): only those still due fire, so an owner that cancelled
        // its timer is never called again, which lets owners hand the queue an unowned
        // reference to themselves.
        for timer in due where timer.isDue {
            timer.isDue = false
            timer.fire()
        }
        if let first = self.heap.first {
            self.scheduleTaskIfEarlier(first.queuedAt)
        }
    }

    // MARK: Heap

    private func siftUp(_ start: Int) {
        var child = start
        let timer = self.heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard timer.queuedAt < self.heap[parent].queuedAt else { break }
            self.heap[child] = self.heap[parent]
            self.heap[child].index = child
            child = parent
        }
        self.heap[child] = timer
        timer.index = child
    }

    private func siftDown(_ start: Int) {
        var parent = start
        let timer = self.heap[parent]
        let count = self.heap.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count, self.heap[child + 1].queuedAt < self.heap[child].queuedAt { child += 1 }
            guard self.heap[child].queuedAt < timer.queuedAt else { break }
            self.heap[parent] = self.heap[child]
            self.heap[parent].index = parent
            parent = child
        }
        self.heap[parent] = timer
        timer.index = parent
    }
}

/// One deadline of one owner (a connection's idle or header timeout, a request's upstream
/// response timeout) in its loop's `LoopTimerQueue`. The owner sets, clears and moves it as
/// often as it likes and cancels it when it goes away; `fire` runs when a set deadline passes,
/// and never after the owner cleared, re-set or cancelled it, even within one firing of the
/// queue, so `fire` may hold its owner `unowned` as long as the owner cancels the timer before
/// it goes (a weak reference would give every owner a side table, and each of its retains the
/// slow path).
final class LoopTimer {
    private let queue: LoopTimerQueue
    fileprivate let fire: () -> Void
    /// The deadline the owner set, nil when nothing is timed.
    fileprivate(set) var deadline: NIODeadline?
    /// Where the timer sits in the queue; meaningful only while `index >= 0`.
    fileprivate var queuedAt = NIODeadline.distantFuture
    fileprivate var index = -1
    /// Taken off the queue by the firing under way and not yet fired.
    fileprivate var isDue = false

    fileprivate init(queue: LoopTimerQueue, fire: @escaping () -> Void) {
        self.queue = queue
        self.fire = fire
    }

    /// Times `deadline`, replacing any earlier one.
    func set(_ deadline: NIODeadline) {
        self.isDue = false
        self.deadline = deadline
        self.queue.deadlineSet(self, to: deadline)
    }

    /// Stops timing; the queue entry stays until its time and then goes without firing.
    func clear() {
        self.isDue = false
        self.deadline = nil
    }

    /// Stops timing and leaves the queue now: for owners going away, so that nothing they
    /// hold waits in the queue for the rest of a timeout.
    func cancel() {
        self.isDue = false
        self.deadline = nil
        self.queue.remove(self)
    }
}
