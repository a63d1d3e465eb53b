internal import NIOCore
internal import Synchronization

/// The server's state behind one lock, shared by the connections (on the event loop) and the
/// test's Swift API (on any thread).
final class ServerCore: Sendable {
    let state: Mutex<ServerState>
    /// Whether the TLS handshake asks for a client certificate, whose common name is the user.
    let readsClientCertificates: Bool

    /// The open connections, so a test can cut them all, and how many were ever accepted.
    /// Kept apart from `state`: closing a channel must not happen under the state lock.
    private let connections = Mutex<(open: [ObjectIdentifier: any Channel], accepted: Int)>(([:], 0))

    init(state: ServerState, readsClientCertificates: Bool) {
        self.state = Mutex(state)
        self.readsClientCertificates = readsClientCertificates
    }

    /// Registers an accepted TCP connection and returns its number (1 for the first), which
    /// every request on it records, so tests can tell which requests shared a connection.
    func track(_ channel: any Channel) -> Int {
        let id = ObjectIdentifier(channel)
        let number = connections.withLock {
            $0.open[id] = channel
            $0.accepted += 1
            return $0.accepted
        }
        channel.closeFuture.whenComplete { _ in
            self.connections.withLock { _ = $0.open.removeValue(forKey: id) }
        }
        return number
    }

    var acceptedConnectionCount: Int {
        connections.withLock { $0.accepted }
    }

    var openConnectionCount: Int {
        connections.withLock { $0.open.count }
    }

    /// Closes every open TCP connection, idle keep-alive ones and watches alike; with HTTP/2 that
    /// ends every stream multiplexed on them at once.
    func closeConnections() {
        let open = connections.withLock { Array($0.open.values) }
        for channel in open { channel.close(promise: nil) }
    }

    func handle(_ request: APIRequest, sink: @escaping @Sendable (WatchMessage) -> Void) -> APIResponse {
        state.withLock { $0.handle(request, sink: sink) }
    }

    func removeWatch(_ id: Int) {
        state.withLock { _ = $0.watches.removeValue(forKey: id) }
    }

    /// A write through the Swift API: runs `body` on the store and sends its event to watchers
    /// under the same lock, exactly as a write over HTTP does.
    func write(_ body: (inout ObjectStore) throws(APIStatus) -> ObjectStore.Write) throws(APIStatus) -> JSONValue {
        try state.withLock { (state) throws(APIStatus) -> JSONValue in
            let write = try body(&state.store)
            state.publish(write.event)
            return write.object
        }
    }
}
