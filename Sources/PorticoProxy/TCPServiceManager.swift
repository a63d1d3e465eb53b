public import Logging
public import NIOCore
internal import NIOPosix
public import Metrics
public import PorticoRouteTable
public import ServiceLifecycle
internal import Synchronization

/// Keeps one TCP listener per entry of the published table's `tcpServices`: binds new ports,
/// closes removed ones, and leaves every other port alone.
///
/// A listener holds no copy of its entry: each accepted connection reads the current table for
/// its port's Service, endpoints and PROXY flags, so a changed entry or new endpoints apply to
/// the next connection without rebinding. A connection goes to the next ready endpoint (round
/// robin per port); with none, or when the connect fails or times out, it is closed.
///
/// Removing a port stops accepting on it; connections already open there carry on until a side
/// closes them or they idle out, like requests in flight across an HTTP route change. A port
/// that cannot be bound (in use) is logged and tried again on the next publish. Shutdown
/// closes the listeners and every open connection.
public final class TCPServiceManager: Service, Sendable {
    private struct Listener {
        let channel: any Channel
        let boundPort: Int
    }

    private struct State {
        var listeners: [Int: Listener] = [:]
        var connections: [ObjectIdentifier: any Channel] = [:]
        var metrics: [String: TCPServiceMetrics] = [:]
        var stopped = false
    }

    private let routes: RouteTableStore
    private let group: any EventLoopGroup
    private let configuration: ProxyConfiguration
    private let logger: Logger
    private let bindPort: @Sendable (Int) -> Int
    private let metricsFactory: any MetricsFactory
    private let state = Mutex(State())

    /// - Parameters:
    ///   - group: the event loops connections run on (the proxy's, so TCP and HTTP share them).
    ///   - bindPort: the port actually bound for a table port; identity except in tests, which
    ///     map table ports to 0 (ephemeral) and ask `boundPort(for:)`.
    ///   - metricsFactory: where the per-service metrics go; the process-wide factory except in
    ///     tests, which read them back.
    public init(
        routes: RouteTableStore,
        group: any EventLoopGroup,
        configuration: ProxyConfiguration,
        logger: Logger,
        bindPort: @escaping @Sendable (Int) -> Int = { $0 },
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.metricsFactory = metricsFactory
        self.routes = routes
        self.group = group
        self.configuration = configuration
        self.logger = logger
        self.bindPort = bindPort
    }

    /// Follows every publish until cancelled or gracefully shut down, then closes everything.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await table in self.routes.updates() {
                await self.apply(table)
            }
        }
        await self.shutdown()
    }

    /// Makes the listeners match `table.tcpServices`.
    public func apply(_ table: RouteTable) async {
        let wanted = table.tcpServices
        let (stale, missing): ([(Int, any Channel)], [Int]) = self.state.withLock { state in
            guard !state.stopped else { return ([], []) }
            let stale = state.listeners.filter { wanted[$0.key] == nil }.map { ($0.key, $0.value.channel) }
            for (port, _) in stale { state.listeners[port] = nil }
            return (stale, wanted.keys.filter { state.listeners[$0] == nil }.sorted())
        }
        for (port, channel) in stale {
            try? await channel.close()
            self.logger.info("tcp service stopped", metadata: ["port": "\(port)"])
        }
        for port in missing {
            do {
                let channel = try await self.bind(port)
                let bound = channel.localAddress?.port ?? port
                let kept = self.state.withLock { state in
                    guard !state.stopped else { return false }
                    state.listeners[port] = Listener(channel: channel, boundPort: bound)
                    return true
                }
                guard kept else {
                    try? await channel.close()
                    return
                }
                self.logger.info(
                    "tcp service listening",
                    metadata: ["port": "\(port)", "service": "\(wanted[port]?.cluster.description ?? "")"]
                )
            } catch {
                self.logger.error(
                    "tcp service cannot listen; retried on the next change",
                    metadata: ["port": "\(port)", "error": "\(error)"]
                )
            }
        }
    }

    /// The port a table port is bound to, while it listens.
    public func boundPort(for port: Int) -> Int? {
        self.state.withLock { $0.listeners[port]?.boundPort }
    }

    /// Closes every listener and open connection; later publishes are ignored.
    public func shutdown() async {
        let channels: [any Channel] = self.state.withLock { state in
            state.stopped = true
            let channels = state.listeners.values.map(\.channel) + Array(state.connections.values)
            state.listeners = [:]
            return channels
        }
        for channel in channels {
            try? await channel.close()
        }
    }

    private func bind(_ port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Set on the listener, copied by the kernel to every accepted socket.
            .serverChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.accept(channel, port: port)
                }
            }
            .bind(host: self.configuration.bindHost, port: self.bindPort(port))
            .get()
    }

    /// Sets up one accepted connection for the current entry of `port`.
    private func accept(_ channel: any Channel, port: Int) throws {
        let table = self.routes.current
        guard let service = table.tcpServices[port] else {
            channel.close(promise: nil)
            return
        }
        let metrics = self.metrics(port: port, cluster: service.cluster)
        metrics.connectionOpened()
        let id = ObjectIdentifier(channel)
        let stopped = self.state.withLock { state in
            if !state.stopped { state.connections[id] = channel }
            return state.stopped
        }
        channel.closeFuture.whenComplete { _ in
            metrics.connectionClosed()
            self.state.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
        if stopped {
            channel.close(promise: nil)
            return
        }
        let endpoints = table.endpoints[service.cluster] ?? []
        let endpoint = endpoints.isEmpty ? nil : endpoints[self.nextIndex(port: port, count: endpoints.count)]
        let settings = TCPForwardHandler.Settings(
            connectTimeout: self.configuration.upstreamConnectTimeout, idleTimeout: self.configuration.tcpIdleTimeout
        )
        let forward: (any Channel, ProxyProtocolHeader?) throws -> Void = { channel, header in
            var preamble: ByteBuffer?
            if service.sendProxyProtocol {
                let text: String
                if case .proxied(let source, let destination) = header {
                    text = ProxyProtocolHeader.v1Bytes(source: source, destination: destination)
                } else {
                    text = ProxyProtocolHeader.v1Bytes(
                        source: ProxiedAddress(channel.remoteAddress), destination: ProxiedAddress(channel.localAddress)
                    )
                }
                preamble = channel.allocator.buffer(string: text)
            }
            try channel.pipeline.syncOperations.addHandler(TCPByteCountingHandler(metrics: metrics))
            try channel.pipeline.syncOperations.addHandler(
                TCPForwardHandler(endpoint: endpoint, preamble: preamble, settings: settings) {
                    metrics.connectFailed()
                }
            )
        }
        if service.decodeProxyProtocol {
            try channel.pipeline.syncOperations.addHandler(
                ProxyProtocolHandler(timeout: self.configuration.headerReadTimeout) { channel, header in
                    try forward(channel, header)
                }
            )
        } else {
            try forward(channel, nil)
        }
    }

    private func metrics(port: Int, cluster: ClusterID) -> TCPServiceMetrics {
        let key = "\(port) \(cluster)"
        return self.state.withLock { state in
            if let existing = state.metrics[key] { return existing }
            let created = TCPServiceMetrics(port: port, service: cluster.description, factory: self.metricsFactory)
            state.metrics[key] = created
            return created
        }
    }

    private let cursors = Mutex<[Int: Int]>([:])

    /// Round robin per port, across event loops (a connection is rarer than a request, so one
    /// lock per accept is cheap).
    private func nextIndex(port: Int, count: Int) -> Int {
        self.cursors.withLock { cursors in
            let next = cursors[port, default: 0]
            cursors[port] = (next + 1) % count
            return next % count
        }
    }
}
