public import UnixSignals

/// A second SIGTERM or SIGINT arrived during a graceful shutdown: the process stops at once,
/// closing connections without waiting for the requests on them.
public struct ForcedShutdown: Error, CustomStringConvertible {
    public let signal: UnixSignal

    public var description: String {
        "second \(signal) during graceful shutdown: stopped at once, without waiting for requests in flight"
    }
}
