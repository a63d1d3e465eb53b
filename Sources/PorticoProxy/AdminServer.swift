public import Logging
public import NIOCore
internal import NIOHTTP1
internal import NIOPosix
public import ServiceLifecycle
internal import Synchronization

/// The admin listener: `/healthz` (the process is alive), `/readyz` (the first routing table is
/// published, so the pod may take traffic) and `/metrics` (Prometheus text).
///
/// It lives apart from the edge listener, on its own port, so that probes and scrapes are never
/// routed by user Ingresses and a table with a catch-all rule cannot shadow them.
public final class AdminServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var bindHost: String
        /// 0 picks a free port (tests).
        public var port: Int

        public init(bindHost: String = "0.0.0.0", port: Int = 10254) {
            self.bindHost = bindHost
            self.port = port
        }
    }

    private let configuration: Configuration
    private let responder: AdminResponder
    private let group: any EventLoopGroup
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)

    /// - Parameters:
    ///   - isReady: read on every `/readyz`; must be cheap and thread-safe.
    ///   - metrics: renders the Prometheus exposition text on every `/metrics`.
    public init(
        configuration: Configuration,
        logger: Logger,
        group: (any EventLoopGroup)? = nil,
        isReady: @escaping @Sendable () -> Bool,
        metrics: @escaping @Sendable () -> [UInt8]
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
        self.responder = AdminResponder(isReady: isReady, metrics: metrics)
    }

    /// Binds the listener and returns the bound port.
    public func start() async throws -> Int {
        let responder = self.responder
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(responder: responder))
                }
            }
        let bound: any Channel
        do {
            bound = try await bootstrap.bind(host: configuration.bindHost, port: configuration.port).get()
        } catch {
            throw ListenerBindError(listener: "admin", host: configuration.bindHost, port: configuration.port, error: error)
        }
        channel.withLock { $0 = bound }
        let port = bound.localAddress?.port ?? configuration.port
        logger.info("admin listener started", metadata: ["address": "\(configuration.bindHost):\(port)"])
        return port
    }

    /// Closes the listener; in-flight probe responses are tiny and finish on their own.
    public func shutdown() async throws {
        let bound = channel.withLock { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try await bound?.close()
    }

    public func run() async throws {
        _ = try await start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                let bound = channel.withLock { $0 }
                try? await bound?.closeFuture.get()
            } onCancel: {
                channel.withLock { $0 }?.close(promise: nil)
            }
        } onGracefulShutdown: {
            // The service group shuts services down in reverse order and the admin listener is
            // listed first, so by now the proxy has drained: probes are no longer needed.
            self.channel.withLock { $0 }?.close(promise: nil)
        }
    }
}

/// What the admin endpoints answer, apart from any channel so it can be tested directly.
struct AdminResponder: Sendable {
    let isReady: @Sendable () -> Bool
    let metrics: @Sendable () -> [UInt8]

    struct Response: Equatable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
    }

    func respond(method: HTTPMethod, path: Substring) -> Response {
        guard method == .GET || method == .HEAD else {
            return Response(status: .methodNotAllowed, contentType: "text/plain", body: Array("method not allowed\n".utf8))
        }
        switch path {
        case "/healthz":
            return Response(status: .ok, contentType: "text/plain", body: Array("ok\n".utf8))
        case "/readyz":
            return isReady()
                ? Response(status: .ok, contentType: "text/plain", body: Array("ready\n".utf8))
                : Response(status: .serviceUnavailable, contentType: "text/plain", body: Array("not ready\n".utf8))
        case "/metrics":
            return Response(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics())
        default:
            return Response(status: .notFound, contentType: "text/plain", body: Array("not found\n".utf8))
        }
    }
}

/// Serves `AdminResponder` over HTTP/1.1, one response per request, keep-alive honoured.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: AdminResponder
    private var request: HTTPRequestHead?

    init(responder: AdminResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let response = responder.respond(method: head.method, path: path)
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: response.contentType)
            headers.add(name: "content-length", value: String(response.body.count))
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
            }
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !head.isKeepAlive {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
