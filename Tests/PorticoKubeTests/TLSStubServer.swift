import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PorticoTestSupport
import Synchronization

/// A small HTTPS/1.1 server on 127.0.0.1 for transport tests that need answers the test API
/// server does not give (a scripted status, a dropped stream, a Retry-After). Each request is
/// answered by `respond`; every request is recorded.
final class TLSStubServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var authorization: String?
        var contentType: String?
        var body: String
    }

    struct Reply: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = []
        /// Sent as separate chunks, flushed one by one.
        var chunks: [String] = []
        /// Close the connection after the chunks instead of ending the response.
        var dropAfterChunks = false
        /// Keep the response open after the chunks (a watch the server never ends).
        var holdOpen = false
    }

    let port: Int
    private let channel: any Channel
    private let recorded: Mutex<[Request]>
    private let closedConnections: Mutex<Int>

    var requests: [Request] { recorded.withLock { $0 } }
    var closedConnectionCount: Int { closedConnections.withLock { $0 } }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
        self.recorded = Mutex([])
        self.closedConnections = Mutex(0)
    }

    static func start(leaf: TestCertificateAuthority.Leaf, respond: @escaping @Sendable (Request) -> Reply) async throws -> TLSStubServer {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(leaf.chainPEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(leaf.keyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: tls)
        let log = Log()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(log: log, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else { throw StubError.noPort }
        let server = TLSStubServer(port: port, channel: channel)
        log.server.withLock { $0 = server }
        return server
    }

    func close() async throws {
        try await channel.close()
    }

    fileprivate func record(_ request: Request) {
        recorded.withLock { $0.append(request) }
    }

    fileprivate func connectionClosed() {
        closedConnections.withLock { $0 += 1 }
    }

    enum StubError: Error { case noPort }

    /// Lets handlers reach the server object created after the bootstrap.
    private final class Log: Sendable {
        let server = Mutex<TLSStubServer?>(nil)
    }

    private final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let log: Log
        private let respond: @Sendable (Request) -> Reply
        private var head: HTTPRequestHead?
        private var body = ""

        init(log: Log, respond: @escaping @Sendable (Request) -> Reply) {
            self.log = log
            self.respond = respond
        }

        func channelInactive(context: ChannelHandlerContext) {
            log.server.withLock { $0 }?.connectionClosed()
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head else { return }
                let request = Request(
                    method: head.method.rawValue,
                    uri: head.uri,
                    authorization: head.headers.first(name: "authorization"),
                    contentType: head.headers.first(name: "content-type"),
                    body: body
                )
                log.server.withLock { $0 }?.record(request)
                answer(respond(request), context: context)
            }
        }

        private func answer(_ reply: Reply, context: ChannelHandlerContext) {
            var headers = HTTPHeaders([("content-type", "application/json"), ("transfer-encoding", "chunked")])
            for (name, value) in reply.headers { headers.add(name: name, value: value) }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers))), promise: nil)
            for chunk in reply.chunks {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil)
            }
            context.flush()
            if reply.dropAfterChunks {
                context.close(promise: nil)
            } else if !reply.holdOpen {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
