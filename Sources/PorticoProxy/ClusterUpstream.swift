internal import NIOSSL
internal import PorticoRouteTable

/// What one event loop keeps for a cluster that is not cleartext HTTP/1.1: its protocol
/// settings, the TLS context built from them, and its HTTP/2 connections per endpoint.
///
/// The pool replaces it when a new routing table changes the cluster's settings; the old one
/// retires its HTTP/2 connections (they finish their streams, then close).
final class ClusterUpstream {
    let cluster: ClusterID
    let upstream: UpstreamProtocol
    /// Distinguishes this cluster's idle TLS connections in the pool from other ones to the
    /// same endpoint.
    let transport: Int
    /// The TLS context, nil for h2c; a failure makes every request of the cluster answer 502.
    private let tlsContext: Result<NIOSSLContext, UpstreamTLSContext.Problem>?
    private var http2: [Endpoint: [HTTP2UpstreamConnection]] = [:]

    init(cluster: ClusterID, upstream: UpstreamProtocol, transport: Int, context: Result<NIOSSLContext, UpstreamTLSContext.Problem>?) {
        self.cluster = cluster
        self.upstream = upstream
        self.transport = transport
        self.tlsContext = context
    }

    /// The TLS context when the cluster uses TLS and its settings are usable.
    var context: NIOSSLContext? {
        if case .success(let context) = self.tlsContext { return context }
        return nil
    }

    var isUsable: Bool {
        if case .failure = self.tlsContext { return false }
        return true
    }

    /// A connection to `endpoint` that can take one more stream, if any.
    func http2Connection(to endpoint: Endpoint) -> HTTP2UpstreamConnection? {
        self.http2[endpoint]?.first { $0.hasCapacity }
    }

    func add(_ connection: HTTP2UpstreamConnection) {
        self.http2[connection.endpoint, default: []].append(connection)
        connection.onClose = { [weak self] closed in self?.remove(closed) }
    }

    func retire() {
        for connection in self.http2.values.joined() { connection.retire() }
    }

    private func remove(_ connection: HTTP2UpstreamConnection) {
        guard var list = self.http2[connection.endpoint] else { return }
        list.removeAll { $0 === connection }
        self.http2[connection.endpoint] = list.isEmpty ? nil : list
    }
}
