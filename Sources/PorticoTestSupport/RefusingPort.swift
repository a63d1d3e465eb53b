import Glibc

/// A TCP port on 127.0.0.1 that refuses connections while `body` runs.
///
/// Binding a listener and closing it frees the port for the next test running in parallel,
/// which may then answer where a refusal was expected. Here a socket stays bound without
/// listening, so the kernel answers every connection attempt with a reset, and without
/// `SO_REUSEADDR`, so no other socket can bind the port until `body` returns.
public enum RefusingPort {
    public static func with<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RefusingPortError(call: "socket", errno: errno) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw RefusingPortError(call: "bind", errno: errno) }
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }
}

public struct RefusingPortError: Error, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call) on 127.0.0.1 failed: errno \(errno)" }
}
