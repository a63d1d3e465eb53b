public import NIOCore
internal import NIOHTTP1
internal import NIOHTTP2
public import NIOSSL
public import PorticoRouteTable
internal import Synchronization

/// A loopback HTTP/2 server standing in for an h2c (or, with TLS, h2) upstream such as a gRPC
/// service in proxy tests.
///
/// It listens on 127.0.0.1 with an ephemeral port and serves each stream on its own: it echoes
/// the request body as it arrives (a streaming call), then ends with trailers. Every response
/// carries `x-stub-name`, `x-seen-path`, `x-seen-host`, `x-seen-te` and `x-seen-version`; the
/// trailers carry `grpc-status: 0`, `x-received-bytes` and `x-seen-trailer-<name>` for each
/// request trailer, so a test can check trailers in both directions.
public final class HTTP2UpstreamStub: Sendable {
    public let name: String
    private let listener: LoopbackListener
    private let counters: Counters

    public var port: Int { self.listener.port }
    public var endpoint: Endpoint { self.listener.endpoint }
    /// Connections accepted so far.
    public var acceptedConnections: Int { self.counters.connections.withLock { $0 } }
    /// Streams (requests) whose head arrived so far.
    public var receivedRequests: Int { self.counters.requests.withLock { $0 } }
    /// The most streams that were open at once on one connection.
    public var maxConcurrentStreams: Int { self.counters.maxConcurrent.withLock { $0 } }

    private init(name: String, listener: LoopbackListener, counters: Counters) {
        self.name = name
        self.listener = listener
        self.counters = counters
    }

    /// Starts a stub. With `tls` it speaks h2 over TLS (the context must offer ALPN `h2`);
    /// `responseDelay` holds each response head back, so that concurrent requests overlap;
    /// `maxConcurrentStreams` is announced in its SETTINGS; with `goAwayWithFirstResponse`
    /// each connection sends GOAWAY right after its first response head, so the GOAWAY is on
    /// the wire before that response ends (and before the client can send another request).
    public static func start(
        name: String,
        tls: NIOSSLContext? = nil,
        responseDelay: TimeAmount = .zero,
        maxConcurrentStreams: Int = 100,
        goAwayWithFirstResponse: Bool = false,
        group: (any EventLoopGroup)? = nil
    ) async throws -> HTTP2UpstreamStub {
        let counters = Counters()
        let listener = try await LoopbackListener.bind(group: group, tls: tls) { channel in
            counters.connections.withLock { $0 += 1 }
            let open = ConnectionStreams()
            var connectionConfiguration = NIOHTTP2Handler.ConnectionConfiguration()
            connectionConfiguration.initialSettings = [
                HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams)
            ]
            _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .server,
                connectionConfiguration: connectionConfiguration,
                streamConfiguration: NIOHTTP2Handler.StreamConfiguration()
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                    try stream.pipeline.syncOperations.addHandler(
                        HTTP2StubStreamHandler(
                            name: name, delay: responseDelay, goAway: goAwayWithFirstResponse, counters: counters, open: open
                        )
                    )
                }
            }
        }
        return HTTP2UpstreamStub(name: name, listener: listener, counters: counters)
    }

    /// A server TLS context for `leaf` offering ALPN `h2` only.
    public static func tlsContext(chainPEM: String, keyPEM: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(chainPEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.applicationProtocols = ["h2"]
        return try NIOSSLContext(configuration: configuration)
    }

    /// Stops listening. Open connections are closed with the event loop group or by peers.
    public func close() async throws {
        try await self.listener.close()
    }

    final class Counters: Sendable {
        let connections = Mutex(0)
        let requests = Mutex(0)
        let maxConcurrent = Mutex(0)
    }

    /// Streams open on one connection right now, and whether it has sent GOAWAY.
    final class ConnectionStreams: Sendable {
        let count = Mutex(0)
        let wentAway = Mutex(false)
    }
}

/// Serves one stream of the stub.
private final class HTTP2StubStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let name: String
    private let delay: TimeAmount
    private let goAway: Bool
    private let counters: HTTP2UpstreamStub.Counters
    private let open: HTTP2UpstreamStub.ConnectionStreams
    private var headSent = false
    private var pending: [HTTPServerRequestPart] = []
    private var receivedBytes = 0

    init(name: String, delay: TimeAmount, goAway: Bool, counters: HTTP2UpstreamStub.Counters, open: HTTP2UpstreamStub.ConnectionStreams) {
        self.name = name
        self.delay = delay
        self.goAway = goAway
        self.counters = counters
        self.open = open
    }

    func channelActive(context: ChannelHandlerContext) {
        let now = self.open.count.withLock { count in
            count += 1
            return count
        }
        self.counters.maxConcurrent.withLock { $0 = max($0, now) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.open.count.withLock { $0 -= 1 }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        if case .head(let head) = part {
            self.counters.requests.withLock { $0 += 1 }
            let responseHead = self.responseHead(for: head)
            if self.delay == .zero {
                self.sendHead(responseHead, context: context)
            } else {
                let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.assumeIsolated().scheduleTask(in: self.delay) {
                    self.sendHead(responseHead, context: loopContext.value)
                }
            }
            return
        }
        if self.headSent {
            self.relay(part, context: context)
        } else {
            self.pending.append(part)
        }
    }

    private func responseHead(for head: HTTPRequestHead) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "x-stub-name", value: self.name)
        headers.add(name: "x-seen-path", value: head.uri)
        headers.add(name: "x-seen-host", value: head.headers.first(name: "host") ?? "-")
        headers.add(name: "x-seen-te", value: head.headers.first(name: "te") ?? "-")
        headers.add(name: "x-seen-version", value: "\(head.version.major)")
        headers.add(name: "content-type", value: head.headers.first(name: "content-type") ?? "text/plain")
        return HTTPResponseHead(version: head.version, status: .ok, headers: headers)
    }

    private func sendHead(_ head: HTTPResponseHead, context: ChannelHandlerContext) {
        self.headSent = true
        context.writeAndFlush(self.wrapOutboundOut(.head(head)), promise: nil)
        if self.goAway, let parent = context.channel.parent, !self.open.wentAway.withLock({ $0 }) {
            self.open.wentAway.withLock { $0 = true }
            let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil))
            parent.writeAndFlush(frame, promise: nil)
        }
        let pending = self.pending
        self.pending = []
        for part in pending { self.relay(part, context: context) }
    }

    private func relay(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head:
            ()
        case .body(let buffer):
            self.receivedBytes += buffer.readableBytes
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let requestTrailers):
            var trailers = HTTPHeaders()
            trailers.add(name: "grpc-status", value: "0")
            trailers.add(name: "x-received-bytes", value: "\(self.receivedBytes)")
            for (name, value) in requestTrailers ?? [:] {
                trailers.add(name: "x-seen-trailer-\(name.lowercased())", value: value)
            }
            context.writeAndFlush(self.wrapOutboundOut(.end(trailers)), promise: nil)
        }
    }
}
