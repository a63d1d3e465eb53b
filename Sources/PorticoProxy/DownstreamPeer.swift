internal import NIOCore

/// The client address and listener port of one downstream HTTP/2 connection, worked out by its
/// first stream and read by the others.
///
/// Each stream has its own `ProxyHandler`; before this, each printed the client's socket
/// address as text (about 3,000 instructions) and the listener's port again, once per request.
/// Every stream of a connection has the same answer: a stream's addresses are its
/// connection's, and a PROXY protocol source is recorded for the connection before its first
/// stream opens. Touched only on the connection's event loop.
final class DownstreamPeer {
    private var resolved: (clientAddress: String?, listenerPort: String)?

    /// The client address (see `LoopState.clientAddress(of:)`) and the listener port of the
    /// connection `channel` belongs to.
    func addresses(of channel: any Channel, loop: LoopState) -> (clientAddress: String?, listenerPort: String) {
        if let resolved { return resolved }
        let addresses = Self.resolve(channel, loop: loop)
        self.resolved = addresses
        return addresses
    }

    /// Worked out from `channel` itself: what an HTTP/1 connection's handler does once.
    static func resolve(_ channel: any Channel, loop: LoopState) -> (clientAddress: String?, listenerPort: String) {
        (loop.clientAddress(of: channel), channel.localAddress?.port.map { String($0) } ?? "")
    }
}
