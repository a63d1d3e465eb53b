internal import Atomics
internal import NIOCore
internal import Synchronization

/// Counts open downstream connections across all event loops, lock-free, and signals when the
/// last one closes during a drain.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let open = ManagedAtomic(0)
    private let draining = ManagedAtomic(false)
    /// Made only by `drain`, so a server that never shuts down leaves no promise unfulfilled.
    /// The lock is taken only while draining, never on the per-connection path.
    private let drained = Mutex<EventLoopPromise<Void>?>(nil)

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { self.open.load(ordering: .relaxed) }

    /// Takes a slot; false when the limit is reached.
    func tryAcquire() -> Bool {
        let now = self.open.wrappingIncrementThenLoad(ordering: .relaxed)
        if now > self.limit {
            self.release()
            return false
        }
        return true
    }

    func release() {
        // Sequentially consistent against `drain`: one of the two always sees the other.
        let now = self.open.wrappingDecrementThenLoad(ordering: .sequentiallyConsistent)
        if now == 0, self.draining.load(ordering: .sequentiallyConsistent) { self.signalDrained() }
    }

    /// Completes once no connection is open (immediately if none is). Call once.
    func drain(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        self.drained.withLock { $0 = promise }
        self.draining.store(true, ordering: .sequentiallyConsistent)
        if self.open.load(ordering: .sequentiallyConsistent) == 0 { self.signalDrained() }
        return promise.futureResult
    }

    private func signalDrained() {
        // Taking the promise out makes sure it is completed once.
        self.drained.withLock { promise in
            let taken = promise
            promise = nil
            return taken
        }?.succeed()
    }
}
