/// Decides when a burst of changes is published: `holdoff` after the last change, but never
/// later than `maxHoldoff` after the first unpublished one, so that a steady trickle of updates
/// (EndpointSlices churn during a rollout) cannot postpone publishing forever. Contour uses the
/// same two numbers; the defaults here are 100 ms and 1 s.
///
/// A value type with no clock of its own: callers pass the time in, so it is tested without
/// sleeping.
public struct Coalescer<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let holdoff: Duration
    public let maxHoldoff: Duration
    private var firstPending: Instant?
    private var lastChange: Instant?

    public init(holdoff: Duration = .milliseconds(100), maxHoldoff: Duration = .seconds(1)) {
        self.holdoff = holdoff
        self.maxHoldoff = max(holdoff, maxHoldoff)
    }

    /// Records a change; returns when to publish.
    public mutating func changed(at now: Instant) -> Instant {
        if firstPending == nil { firstPending = now }
        lastChange = now
        return deadline ?? now
    }

    /// When the pending changes must be published, or nil when nothing is pending.
    public var deadline: Instant? {
        guard let firstPending, let lastChange else { return nil }
        let quiet = lastChange.advanced(by: holdoff)
        let cap = firstPending.advanced(by: maxHoldoff)
        return min(quiet, cap)
    }

    /// Whether pending changes are due at `now`.
    public func isDue(at now: Instant) -> Bool {
        guard let deadline else { return false }
        return now >= deadline
    }

    /// Forgets pending changes after a publish.
    public mutating func published() {
        firstPending = nil
        lastChange = nil
    }
}
