internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOHTTP2
internal import NIOPosix
internal import NIOSSL
internal import PorticoRouteTable

/// The upstream connections of one event loop: keep-alive HTTP/1.1 connections per endpoint
/// (cleartext or TLS) and multiplexed HTTP/2 connections per endpoint.
///
/// Connections are opened on the same event loop as the downstream channel that needs them,
/// so relaying never hops threads and the pool needs no lock. Idle HTTP/1.1 connections are
/// kept last-in-first-out (the warmest first), at most `maxIdlePerEndpoint` per endpoint and
/// transport, each for at most `idleTimeout`; a connection that closes while idle is evicted
/// at once. Each connection's idle timeout is a `DeadlineTimer`, so taking and releasing a
/// connection per request schedules no task (the one scheduled moves on when it fires early).
///
/// Cleartext HTTP/1.1 (`UpstreamProtocol.isPlainHTTP1`) takes the same path as before other
/// protocols existed: no per-cluster lookup. Every other protocol has a `ClusterUpstream` per
/// cluster holding its TLS context and HTTP/2 connections.
final class UpstreamPool {
    /// Which idle list a connection belongs to: its endpoint, and the transport it was opened
    /// with (0 for cleartext; a `ClusterUpstream.transport` for TLS), so that a connection
    /// verified for one cluster's settings never serves another's.
    struct Key: Hashable {
        let endpoint: Endpoint
        var transport = 0
    }

    private let eventLoop: any EventLoop
    private let connectTimeout: TimeAmount
    private let maxIdlePerEndpoint: Int
    private let idleTimeout: TimeAmount
    private let logger: Logger
    private let logGate: UpstreamLogGate
    /// Only keys with idle connections are present, so endpoint churn leaves nothing behind.
    private var idle: [Key: IdleConnections] = [:]
    /// Set on each connection as it goes idle: one closure for the pool's life rather than one
    /// allocated per request.
    private lazy var evictOnClose: (UpstreamConnection) -> Void = { [unowned self] closed in self.evict(closed) }
    /// Per-cluster state of clusters that are not cleartext HTTP/1.1.
    private var upstreams: [ClusterID: ClusterUpstream] = [:]
    private var nextTransport = 1

    init(
        eventLoop: any EventLoop,
        configuration: ProxyConfiguration,
        logger: Logger = Logger(label: "portico.upstream"),
        logGate: UpstreamLogGate = UpstreamLogGate()
    ) {
        self.eventLoop = eventLoop
        self.connectTimeout = configuration.upstreamConnectTimeout
        self.maxIdlePerEndpoint = configuration.upstreamMaxIdlePerEndpoint
        self.idleTimeout = configuration.upstreamIdleTimeout
        self.logger = logger
        self.logGate = logGate
    }

    /// An idle connection to `endpoint` that speaks the cluster's protocol, else nil. HTTP/2
    /// clusters never have idle connections: `connect` shares theirs.
    func takeIdle(_ endpoint: Endpoint, cluster: Cluster) -> UpstreamConnection? {
        if cluster.upstream.isPlainHTTP1 { return self.takeIdle(Key(endpoint: endpoint)) }
        guard case .http1 = cluster.upstream.version, let upstream = self.upstream(for: cluster) else { return nil }
        return self.takeIdle(Key(endpoint: endpoint, transport: upstream.transport))
    }

    private func takeIdle(_ key: Key) -> UpstreamConnection? {
        guard let list = self.idle[key] else { return nil }
        defer { if list.connections.isEmpty { self.idle[key] = nil } }
        while let connection = list.connections.popLast() {
            connection.idleTimer.clear()
            connection.onClose = nil
            if connection.isActive {
                connection.reusedTransport = true
                return connection
            }
        }
        return nil
    }

    /// Gets a connection to `endpoint` in the cluster's protocol: a new HTTP/1.1 connection,
    /// or a stream on a shared HTTP/2 one; `completion` runs on this event loop. A connection
    /// for an upgrade request keeps the bytes its decoder holds past a 101 for the relay and is
    /// never released to the pool. An upgrade request to an HTTP/2 cluster goes over HTTP/1.1
    /// (with the same TLS settings), since an upgrade is an HTTP/1.1 mechanism.
    func connect(
        _ endpoint: Endpoint,
        cluster: Cluster,
        forUpgrade: Bool = false,
        completion: @escaping (Result<UpstreamConnection, ProxyError>) -> Void
    ) {
        if cluster.upstream.isPlainHTTP1 {
            self.connectHTTP1(endpoint, upstream: nil, completion: completion)
            return
        }
        guard let upstream = self.upstream(for: cluster) else {
            completion(.failure(.tlsUnavailable(cluster.id)))
            return
        }
        if case .http2 = upstream.upstream.version, !forUpgrade {
            self.connectHTTP2(endpoint, upstream: upstream, completion: completion)
        } else {
            self.connectHTTP1(endpoint, upstream: upstream, completion: completion)
        }
    }

    // MARK: Per-cluster state

    /// The cluster's state, made on first use and remade when its protocol settings change;
    /// nil when its TLS settings cannot be used (logged once per proxy, requests answer 502).
    private func upstream(for cluster: Cluster) -> ClusterUpstream? {
        if let existing = self.upstreams[cluster.id], existing.upstream == cluster.upstream {
            return existing.isUsable ? existing : nil
        }
        self.upstreams[cluster.id]?.retire()
        var context: Result<NIOSSLContext, UpstreamTLSContext.Problem>?
        if let tls = cluster.upstream.tls {
            context = UpstreamTLSContext.make(tls, version: cluster.upstream.version)
        }
        let upstream = ClusterUpstream(
            cluster: cluster.id, upstream: cluster.upstream, transport: self.nextTransport, context: context
        )
        self.nextTransport += 1
        self.upstreams[cluster.id] = upstream
        switch context {
        case .failure(let reason):
            guard self.logGate.shouldLog("\(cluster.id)|unusable") else { return nil }
            self.logger.error(
                "upstream TLS settings unusable; requests get 502",
                metadata: ["cluster": "\(cluster.id)", "reason": "\(reason)"]
            )
            return nil
        case .success where cluster.upstream.tls?.verification == UpstreamTLS.Verification.none:
            guard self.logGate.shouldLog("\(cluster.id)|unverified") else { break }
            self.logger.warning(
                "upstream TLS is not verified (no CA Secret named in portico.dev/proxy-ssl-secret)",
                metadata: ["cluster": "\(cluster.id)", "protocol": "\(cluster.upstream)"]
            )
        default:
            ()
        }
        return upstream
    }

    // MARK: Opening connections

    private func connectHTTP1(
        _ endpoint: Endpoint,
        upstream: ClusterUpstream?,
        completion: @escaping (Result<UpstreamConnection, ProxyError>) -> Void
    ) {
        let key = Key(endpoint: endpoint, transport: upstream?.transport ?? 0)
        self.open(endpoint, upstream: upstream) { channel in
            // What `addHTTPClientHandlers` builds, with Portico's request encoder and response
            // decoder in place of NIO's. Request headers come from a client through
            // `HTTP1RequestDecoder` or `HTTP2StreamFront` (both reject CR, LF and NUL) or from
            // Portico itself: no per-header re-validation.
            let decoder = HTTP1ResponseDecoder()
            let encoder = UpstreamRequestEncoder(responseDecoder: decoder)
            try channel.pipeline.syncOperations.addHandler(encoder)
            try channel.pipeline.syncOperations.addHandler(decoder)
            let connection = UpstreamConnection(endpoint: endpoint, poolKey: key, encoder: encoder)
            try channel.pipeline.syncOperations.addHandler(connection)
            decoder.deliver(to: connection)
        } completion: { result in
            switch result {
            case .success(let channel):
                do {
                    completion(.success(try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)))
                } catch {
                    channel.close(promise: nil)
                    completion(.failure(.upstreamReset(endpoint)))
                }
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    private func connectHTTP2(
        _ endpoint: Endpoint,
        upstream: ClusterUpstream,
        completion: @escaping (Result<UpstreamConnection, ProxyError>) -> Void
    ) {
        if let shared = upstream.http2Connection(to: endpoint) {
            shared.openStream(completion)
            return
        }
        let connection = HTTP2UpstreamConnection(
            endpoint: endpoint, usesTLS: upstream.upstream.tls != nil, idleTimeout: self.idleTimeout, eventLoop: self.eventLoop
        )
        upstream.add(connection)
        connection.openStream(completion)
        let bound = NIOLoopBound(connection, eventLoop: self.eventLoop)
        self.open(endpoint, upstream: upstream) { channel in
            var settings = nioDefaultSettings
            settings.append(HTTP2Setting(parameter: .enablePush, value: 0))
            var connectionConfiguration = NIOHTTP2Handler.ConnectionConfiguration()
            connectionConfiguration.initialSettings = settings
            _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .client,
                connectionConfiguration: connectionConfiguration,
                streamConfiguration: NIOHTTP2Handler.StreamConfiguration(),
                inboundStreamInitializer: { stream in
                    // Server push is disabled in our settings; a stream the server opens anyway is refused.
                    stream.close()
                }
            )
            try channel.pipeline.syncOperations.addHandler(bound.value)
        } completion: { result in
            switch result {
            case .success(let channel):
                do {
                    let multiplexer = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
                    connection.ready(multiplexer: multiplexer)
                } catch {
                    channel.close(promise: nil)
                    connection.failed(.upstreamReset(endpoint))
                }
            case .failure(let error):
                connection.failed(error)
            }
        }
    }

    /// Connects to `endpoint` and, for a TLS cluster, completes the handshake (checking that
    /// an HTTP/2 cluster negotiated `h2`) before `completion` gets the channel.
    private func open(
        _ endpoint: Endpoint,
        upstream: ClusterUpstream?,
        configure: @escaping @Sendable (any Channel) throws -> Void,
        completion: @escaping (Result<any Channel, ProxyError>) -> Void
    ) {
        // Parsed per connect rather than cached: endpoints churn with pods, and a cache keyed
        // by them would only grow, while parsing an IP literal costs little next to a connect.
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
        } catch {
            completion(.failure(.connectRefused(endpoint)))
            return
        }
        let tls = upstream.flatMap { upstream in
            upstream.context.map { (context: $0, serverName: upstream.upstream.tls?.serverName) }
        }
        ClientBootstrap(group: self.eventLoop)
            .connectTimeout(self.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverName))
                        try sync.addHandler(UpstreamTLSHandshakeHandler(eventLoop: channel.eventLoop))
                    }
                    try configure(channel)
                }
            }
            .connect(to: address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    if let upstream, tls != nil {
                        self.awaitHandshake(channel, endpoint: endpoint, upstream: upstream, completion: completion)
                    } else {
                        completion(.success(channel))
                    }
                case .failure(let error):
                    completion(.failure(ProxyError.connectFailure(error, endpoint: endpoint)))
                }
            }
    }

    private func awaitHandshake(
        _ channel: any Channel,
        endpoint: Endpoint,
        upstream: ClusterUpstream,
        completion: @escaping (Result<any Channel, ProxyError>) -> Void
    ) {
        guard let handshake = try? channel.pipeline.syncOperations.handler(type: UpstreamTLSHandshakeHandler.self) else {
            // Already removed: the handshake finished before the connect callback ran.
            completion(.success(channel))
            return
        }
        // The connect timeout covers the handshake too: a server that accepts and then stays
        // silent must not hold the request until the client gives up.
        var timedOut = false
        let timeout = self.eventLoop.assumeIsolated().scheduleTask(in: self.connectTimeout) {
            timedOut = true
            channel.close(promise: nil)
        }
        handshake.result.futureResult.assumeIsolated().whenComplete { result in
            timeout.cancel()
            if timedOut {
                completion(.failure(.connectTimeout(endpoint)))
                return
            }
            switch result {
            case .success(let negotiated):
                if case .http2 = upstream.upstream.version, negotiated != "h2" {
                    self.tlsFailed(upstream, endpoint: endpoint, reason: "the server did not negotiate h2 by ALPN (got \(negotiated ?? "none"))")
                    channel.close(promise: nil)
                    completion(.failure(.tlsFailure(endpoint, "no h2 by ALPN")))
                    return
                }
                self.logGate.reset("\(upstream.cluster)|handshake")
                completion(.success(channel))
            case .failure(let error):
                self.tlsFailed(upstream, endpoint: endpoint, reason: "\(error)")
                channel.close(promise: nil)
                completion(.failure(.tlsFailure(endpoint, "\(error)")))
            }
        }
    }

    /// Logs a failed handshake once per cluster until one succeeds again, so a wrong CA shows
    /// up in the log without one line per request.
    private func tlsFailed(_ upstream: ClusterUpstream, endpoint: Endpoint, reason: String) {
        guard self.logGate.shouldLog("\(upstream.cluster)|handshake") else { return }
        self.logger.error(
            "upstream TLS handshake failed; requests get 502",
            metadata: [
                "cluster": "\(upstream.cluster)", "endpoint": "\(endpoint)", "reason": "\(reason)",
                "server_name": "\(upstream.upstream.tls?.serverName ?? "-")",
            ]
        )
    }

    // MARK: Releasing

    /// Keeps `connection` for reuse, or closes it when its endpoint already has enough idle
    /// ones. A stream is simply let go: it closes itself once both directions have ended.
    func release(_ connection: UpstreamConnection) {
        connection.delegate = nil
        connection.resumeReading()
        guard !connection.isStream, connection.isActive else { return }
        let key = connection.poolKey
        let existing = self.idle[key]
        guard (existing?.connections.count ?? 0) < self.maxIdlePerEndpoint else {
            connection.close()
            return
        }
        let list = existing ?? IdleConnections()
        if existing == nil { self.idle[key] = list }
        connection.onClose = self.evictOnClose
        let deadline = self.eventLoop.now + self.idleTimeout
        if connection.idleTimer.set(deadline) { self.scheduleIdleTimer(connection, at: deadline) }
        list.connections.append(connection)
    }

    private func scheduleIdleTimer(_ connection: UpstreamConnection, at deadline: NIODeadline) {
        let eventLoop = self.eventLoop
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            switch connection.idleTimer.fired(now: eventLoop.now) {
            case .expired: connection.close()
            case .reschedule(let later):
                if let self { self.scheduleIdleTimer(connection, at: later) }
            case .none: ()
            }
        }
        connection.idleTimer.scheduled(task, at: deadline)
    }

    /// Closes every idle connection and retires every HTTP/2 connection (shutdown).
    func closeAll() {
        let all = self.idle.values.flatMap(\.connections)
        self.idle.removeAll()
        for connection in all {
            connection.onClose = nil
            connection.close()
        }
        for upstream in self.upstreams.values { upstream.retire() }
        self.upstreams.removeAll()
    }

    var idleCount: Int { self.idle.values.reduce(0) { $0 + $1.connections.count } }
    /// Keys with an idle list: equal to the endpoints with idle connections, never more.
    var idleListCount: Int { self.idle.count }

    private func evict(_ connection: UpstreamConnection) {
        let key = connection.poolKey
        guard let list = self.idle[key],
            let index = list.connections.firstIndex(where: { $0 === connection })
        else { return }
        list.connections.remove(at: index)
        if list.connections.isEmpty { self.idle[key] = nil }
    }
}
