public import Logging
public import NIOCore
internal import NIOPosix
public import ServiceLifecycle
internal import Synchronization

/// The edge proxy: a plain-HTTP listener (HTTP/1.1, and h2c by prior knowledge when enabled),
/// and an HTTPS one when `httpsPort` is set (HTTP/1.1 or HTTP/2 by ALPN), whose requests are
/// routed through the published `RouteTable` to upstream endpoints.
///
/// A ServiceLifecycle `Service`: `run()` serves until its task is cancelled or a graceful
/// shutdown is triggered, then stops accepting, lets in-flight requests finish (up to
/// `shutdownGracePeriod`) and closes idle connections; HTTP/2 connections get a GOAWAY and
/// keep their open streams until those finish. Tests use `start()` to learn the port
/// and `shutdown()` to stop.
public final class ProxyServer: Service, Sendable {
    private enum State {
        case idle
        case starting
        case running(any Channel)
        case stopped
    }

    private let configuration: ProxyConfiguration
    private let routes: RouteTableStore
    private let logger: Logger
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    let loops: LoopStates
    private let counter: ConnectionCounter
    private let state = Mutex<State>(.idle)
    private let certificates: CertificateStore?
    private let secureListener = Mutex<(any Channel)?>(nil)

    /// - Parameters:
    ///   - group: The event loops to serve on; nil makes the server own a group of
    ///     `configuration.workers` loops, shut down with the server.
    ///   - certificates: What the HTTPS listener serves; required when `httpsPort` is set.
    public init(
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        logger: Logger,
        group: (any EventLoopGroup)? = nil,
        certificates: CertificateStore? = nil
    ) {
        self.configuration = configuration
        self.certificates = certificates
        self.routes = routes
        self.logger = logger
        if let group {
            self.group = group
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.workers))
            self.ownsGroup = true
        }
        self.loops = LoopStates(group: self.group, configuration: configuration, logger: logger)
        self.counter = ConnectionCounter(limit: configuration.maxConnections)
    }

    /// The event loops connections are served on; the TCP services share them.
    public var eventLoopGroup: any EventLoopGroup { self.group }

    /// The bound port of the HTTPS listener once started, if it runs.
    public var httpsPort: Int? {
        self.secureListener.withLock { $0?.localAddress?.port }
    }

    /// Binds the listeners and starts serving; returns the bound plain-HTTP port (useful with
    /// port 0; `httpsPort` tells the other).
    public func start() async throws -> Int {
        try self.state.withLock { state in
            guard case .idle = state else { throw ProxyServerError.alreadyStarted }
            state = .starting
        }
        let configuration = self.configuration
        let routes = self.routes
        let loops = self.loops
        let counter = self.counter
        let accessLogger: Logger? = configuration.accessLog ? Logger(label: "portico.access") : nil
        let bootstrap = self.makeBootstrap(loops: loops, counter: counter) { channel, loop in
            try EdgeFront.configure(channel: channel, configuration: configuration, loop: loop, passthroughRoutes: nil) { channel in
                try channel.pipeline.syncOperations.configurePlainEdgePipeline(
                    configuration: configuration,
                    routes: routes,
                    loop: loop,
                    accessLogger: accessLogger
                )
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.bindHost, port: configuration.httpPort).get()
        } catch {
            self.state.withLock { state in
                if case .starting = state { state = .idle }
            }
            throw ListenerBindError(listener: "HTTP", host: configuration.bindHost, port: configuration.httpPort, error: error)
        }
        let port = channel.localAddress?.port ?? configuration.httpPort
        let stillWanted = self.state.withLock { state in
            guard case .starting = state else { return false }
            state = .running(channel)
            return true
        }
        guard stillWanted else {
            try? await channel.close()
            throw ProxyServerError.shutDown
        }
        if let httpsPort = configuration.httpsPort {
            do {
                try await self.startSecureListener(port: httpsPort, loops: loops, counter: counter, accessLogger: accessLogger)
            } catch {
                try? await self.shutdown()
                throw error
            }
        }
        self.logger.info("proxy listening", metadata: ["host": "\(configuration.bindHost)", "port": "\(port)"])
        return port
    }

    /// Stops accepting, lets in-flight requests finish within the grace period, closes every
    /// connection and pool, and shuts down the event loops if the server owns them.
    public func shutdown() async throws {
        let previous: State = self.state.withLock { state in
            defer { state = .stopped }
            return state
        }
        switch previous {
        case .stopped:
            return
        case .running(let channel):
            try? await channel.close()
            try? await self.secureListener.withLock({ $0 })?.close()
            await self.drainConnections()
            await self.loops.forEach { $0.pool.closeAll() }
            self.logger.info("proxy stopped")
        case .idle, .starting:
            // Never served (a `start` in flight sees `.stopped` and gives its channel up).
            ()
        }
        if self.ownsGroup {
            try await self.group.shutdownGracefully()
        }
    }

    /// Asks every connection to finish its in-flight request and close, and waits for that up to
    /// the grace period; then closes whatever is left.
    private func drainConnections() async {
        await self.loops.forEach { $0.quiesceConnections() }
        let drained = self.counter.drain(on: self.group.any())
        let grace = self.configuration.shutdownGracePeriod
        let loops = self.loops
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await drained.get()) != nil }
            group.addTask {
                try? await Task.sleep(for: .nanoseconds(grace.nanoseconds))
                return false
            }
            let drainedFirst = await group.next() ?? false
            group.cancelAll()
            if !drainedFirst {
                await loops.forEach { $0.closeConnections() }
            }
        }
    }

    /// Serves until the task is cancelled or graceful shutdown is triggered.
    public func run() async throws {
        _ = try await self.start()
        let closeFuture: EventLoopFuture<Void>? = self.state.withLock { state in
            if case .running(let channel) = state { return channel.closeFuture }
            return nil
        }
        if let closeFuture {
            try await withTaskCancellationOrGracefulShutdownHandler {
                try await closeFuture.get()
            } onCancelOrGracefulShutdown: {
                self.stopAccepting()
            }
        }
        try await self.shutdown()
    }

    private func stopAccepting() {
        let channel: (any Channel)? = self.state.withLock { state in
            if case .running(let channel) = state { return channel }
            return nil
        }
        channel?.close(promise: nil)
        self.secureListener.withLock { $0 }?.close(promise: nil)
    }

    /// Binds the HTTPS listener: the same edge pipeline behind TLS, on the same event loops,
    /// connection limit and drain as the plain one.
    private func startSecureListener(port: Int, loops: LoopStates, counter: ConnectionCounter, accessLogger: Logger?) async throws {
        guard let certificates = self.certificates else { throw ProxyServerError.noCertificates }
        let configuration = self.configuration
        let routes = self.routes
        let contexts = try TLSContextProvider(options: configuration.tls, certificates: certificates)
        let metrics = TLSMetrics()
        let bootstrap = self.makeBootstrap(loops: loops, counter: counter) { channel, loop in
            try EdgeFront.configure(channel: channel, configuration: configuration, loop: loop, passthroughRoutes: routes) { channel in
                try channel.pipeline.syncOperations.configureSecureEdgePipeline(
                    context: try contexts.context(),
                    metrics: metrics,
                    configuration: configuration,
                    routes: routes,
                    loop: loop,
                    accessLogger: accessLogger
                )
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.bindHost, port: port).get()
        } catch {
            throw ListenerBindError(listener: "HTTPS", host: configuration.bindHost, port: port, error: error)
        }
        // Published under the state lock, so that a shutdown either sees it or stops it here.
        let stillWanted = self.state.withLock { state in
            guard case .running = state else { return false }
            self.secureListener.withLock { $0 = channel }
            return true
        }
        guard stillWanted else {
            try? await channel.close()
            throw ProxyServerError.shutDown
        }
        self.logger.info(
            "https listening",
            metadata: ["host": "\(configuration.bindHost)", "port": "\(channel.localAddress?.port ?? port)"]
        )
    }

    /// The listener setup both ports share: accept backlog, the connection limit on the server
    /// channel, and per-connection bookkeeping on the connection's event loop (for draining at
    /// shutdown) before `configurePipeline` adds the scheme's handlers.
    ///
    /// TCP_NODELAY is set once, on the listening socket, and Linux copies it to every accepted
    /// socket (AcceptedSocketOptionsTests reads it back). It is not repeated as a child channel
    /// option: NIO applies child options through a chain of futures, about 9,000 instructions
    /// on every new connection, 4.5% of a request that opens one.
    private func makeBootstrap(
        loops: LoopStates,
        counter: ConnectionCounter,
        configurePipeline: @escaping @Sendable (any Channel, LoopState) throws -> Void
    ) -> ServerBootstrap {
        ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                // The loop's cached succeeded future, not a new one per connection: a future
                // costs its allocation and, when freed, generic metadata lookups (with the
                // promise `ProxyHandler` no longer makes per closing response, 5,100
                // instructions a connection in `bench/callgrind.sh --close`).
                guard let loop = loops.state(for: channel.eventLoop) else {
                    return channel.eventLoop.makeFailedFuture(ProxyServerError.unknownEventLoop)
                }
                // Over `maxConnections` the connection is closed at once (NIO's accept handler
                // closes it when this fails), before any handler or buffer is set up for it.
                // Checked here rather than by a handler of the listening channel, which cost
                // a runtime cast of each accepted channel and a close callback of its own
                // (`bench/callgrind.sh --close`: 124,320 → 119,105 instructions a connection).
                guard counter.tryAcquire() else {
                    return channel.eventLoop.makeFailedFuture(ProxyServerError.connectionLimitReached)
                }
                loop.connectionOpened(channel)
                channel.closeFuture.assumeIsolated().whenComplete { _ in
                    loop.connectionClosed(channel)
                    counter.release()
                }
                do {
                    try configurePipeline(channel, loop)
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
    }
}

/// Misuse of a `ProxyServer`'s lifecycle.
public enum ProxyServerError: Error, CustomStringConvertible {
    case alreadyStarted
    case shutDown
    case unknownEventLoop
    case noCertificates
    case connectionLimitReached

    public var description: String {
        switch self {
        case .alreadyStarted: "the proxy server was already started"
        case .shutDown: "the proxy server was shut down while starting"
        case .unknownEventLoop: "a connection arrived on an event loop the proxy does not know"
        case .noCertificates: "the HTTPS listener needs a certificate store"
        case .connectionLimitReached: "a connection arrived over the connection limit (--max-connections) and was closed"
        }
    }
}
