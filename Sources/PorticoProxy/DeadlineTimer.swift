internal import NIOCore

/// A deadline that moves on every request, backed by at most one scheduled event-loop task
/// that is rescheduled only when it fires early or when the deadline moves earlier than it.
///
/// Scheduling and cancelling a NIO task per request costs a heap insertion and removal and an
/// allocation each time (about a tenth of the proxy's CPU under keep-alive load). Most
/// deadlines only move later (the idle timeout restarts after each response), so the task
/// scheduled for the first deadline stays put; when it fires it looks at the current
/// deadline and either expires or schedules itself once more for the remaining time. nginx
/// (`ngx_event_timer`, with its lazy re-insertion) and Envoy (per-connection timers re-armed
/// only on fire) avoid per-request timer churn the same way. Precision is unchanged: a
/// deadline expires when it is reached, never later than the event loop runs the task.
///
/// A value type with no behaviour of its own: the owner schedules the task when `set` says so
/// and reports each firing to `fired(now:)`, which says what to do.
struct DeadlineTimer {
    enum FireAction: Equatable {
        /// The deadline has passed.
        case expired
        /// The deadline moved later; schedule the task again for it.
        case reschedule(NIODeadline)
        /// No deadline is set.
        case none
    }

    /// The current deadline, or nil when nothing is timed.
    private(set) var deadline: NIODeadline?
    private var task: Scheduled<Void>?
    /// When the scheduled task runs; meaningful only while `task` is set.
    private var taskDeadline = NIODeadline.distantFuture

    /// Sets the deadline. Returns true when no scheduled task fires at or before it, so the
    /// owner must schedule one (and report it with `scheduled(_:at:)`).
    mutating func set(_ deadline: NIODeadline) -> Bool {
        self.deadline = deadline
        return self.task == nil || self.taskDeadline > deadline
    }

    /// Whether a task must be scheduled for the current deadline.
    var needsTask: Bool {
        guard let deadline = self.deadline else { return false }
        return self.task == nil || self.taskDeadline > deadline
    }

    /// Clears the deadline; a scheduled task stays and finds nothing to do when it fires.
    mutating func clear() {
        self.deadline = nil
    }

    /// Records the task the owner scheduled for `deadline`, cancelling one that would run later.
    mutating func scheduled(_ task: Scheduled<Void>, at deadline: NIODeadline) {
        self.task?.cancel()
        self.task = task
        self.taskDeadline = deadline
    }

    /// The scheduled task ran at `now`.
    mutating func fired(now: NIODeadline) -> FireAction {
        self.task = nil
        guard let deadline = self.deadline else { return .none }
        if deadline <= now {
            self.deadline = nil
            return .expired
        }
        return .reschedule(deadline)
    }

    /// Clears the deadline and cancels the task (the owner goes away).
    mutating func cancel() {
        self.deadline = nil
        self.task?.cancel()
        self.task = nil
    }
}
