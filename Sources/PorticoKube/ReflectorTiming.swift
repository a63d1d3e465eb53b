/// The durations a reflector works with. The defaults are client-go's: watches the server ends
/// after a random 5–10 minutes (so that replicas do not all re-watch at once), and retries from
/// 250 ms doubling to 30 s. Tests shorten them.
public struct ReflectorTiming: Hashable, Sendable {
    /// The `timeoutSeconds` of each watch is picked at random from this range.
    public var watchTimeoutSeconds: ClosedRange<Int>
    public var backoffInitial: Duration
    public var backoffMaximum: Duration
    /// Items per list page (`limit`).
    public var pageSize: Int
    /// A watch that ends sooner than this without delivering anything counts as a failure and
    /// is retried with backoff, so that a server closing every watch at once is not hammered.
    public var minimumWatchDuration: Duration

    public init(
        watchTimeoutSeconds: ClosedRange<Int> = 300...600,
        backoffInitial: Duration = .milliseconds(250),
        backoffMaximum: Duration = .seconds(30),
        pageSize: Int = 500,
        minimumWatchDuration: Duration = .seconds(1)
    ) {
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.backoffInitial = backoffInitial
        self.backoffMaximum = backoffMaximum
        self.pageSize = pageSize
        self.minimumWatchDuration = minimumWatchDuration
    }
}
