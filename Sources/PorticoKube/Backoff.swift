/// How long to wait before retrying the API server: exponential from `initial` to `maximum`
/// with jitter, so that replicas restarted together do not retry in step, and never shorter
/// than the server's own `Retry-After`.
///
/// A value type with the randomness passed in, so that tests can pin the jitter.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private var attempt = 0

    public init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = Swift.max(initial, maximum)
    }

    /// Failures since the last success.
    public var failures: Int { attempt }

    /// The delay before the next attempt. `jitter` is a number in 0...1 (random in production):
    /// the delay is the exponential step scaled into its upper half (`step * (0.5 + jitter / 2)`),
    /// then raised to `retryAfter` when the server asked for more.
    public mutating func next(retryAfter: Duration? = nil, jitter: Double = Double.random(in: 0...1)) -> Duration {
        var step = initial
        for _ in 0..<Swift.min(attempt, 30) where step < maximum {
            step = step * 2
        }
        step = Swift.min(step, maximum)
        attempt += 1
        let clamped = Swift.min(Swift.max(jitter, 0), 1)
        let delay = step * (0.5 + clamped / 2)
        if let retryAfter, retryAfter > delay { return retryAfter }
        return delay
    }

    /// Forgets failures after a success.
    public mutating func reset() {
        attempt = 0
    }
}
