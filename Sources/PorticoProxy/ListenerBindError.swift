#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
internal import NIOCore

/// A listener could not bind its address. Names the listener and the address, and says in words
/// why, so that the operator knows which port to change without reading an errno.
public struct ListenerBindError: Error, CustomStringConvertible {
    /// `HTTP`, `HTTPS` or `admin`.
    public let listener: String
    public let host: String
    public let port: Int
    public let reason: String

    public init(listener: String, host: String, port: Int, reason: String) {
        self.listener = listener
        self.host = host
        self.port = port
        self.reason = reason
    }

    /// Wraps what `bind` threw.
    init(listener: String, host: String, port: Int, error: any Error) {
        let reason: String
        if let error = error as? IOError {
            switch error.errnoCode {
            case EADDRINUSE: reason = "the port is already in use (another process is listening on it)"
            case EACCES: reason = "permission denied (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: reason = "the address is not one of this machine's"
            default: reason = "\(error)"
            }
        } else {
            reason = "\(error)"
        }
        self.init(listener: listener, host: host, port: port, reason: reason)
    }

    public var description: String {
        "cannot listen for \(listener) on \(host):\(port): \(reason)"
    }
}
