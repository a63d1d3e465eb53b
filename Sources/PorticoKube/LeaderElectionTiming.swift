/// The durations of leader election, client-go's defaults: a Lease is valid for 15 s after its
/// last renewal; the leader tries to renew every `retryPeriod` (2 s) and steps down when it has
/// not managed to for `renewDeadline` (10 s), well before the lease expires for the others, so
/// that two leaders never act at once. Tests shorten them.
public struct LeaderElectionTiming: Hashable, Sendable {
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration

    public init(leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// `leaseDurationSeconds` as written into the Lease (at least 1).
    var leaseSeconds: Int {
        let (seconds, attoseconds) = leaseDuration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
