internal import NIOCore
internal import NIOHTTP1
public import PorticoRouteTable
internal import NIOWebSocket
internal import Synchronization

/// A loopback WebSocket server standing in for an upstream Service in upgrade tests: it
/// accepts the upgrade with NIO's `NIOWebSocketServerUpgrader` and echoes every text and
/// binary frame; a close frame is answered with a close and the connection ends. With
/// `acceptUpgrades` false it answers upgrade requests (and any other) with 426.
public final class WebSocketEchoStub: Sendable {
    private let listener: LoopbackListener
    private let counters: UpstreamStub.Counters

    public var port: Int { self.listener.port }
    /// Where the proxy should send traffic for this stub.
    public var endpoint: Endpoint { self.listener.endpoint }
    /// Connections accepted so far.
    public var acceptedConnections: Int { self.counters.connections.withLock { $0 } }
    /// Accepted connections that have closed since (by either side).
    public var closedConnections: Int { self.counters.closed.withLock { $0 } }
    /// Upgrade request heads seen so far, with the headers the stub received.
    public var upgradeRequests: [[String: String]] { self.log.heads.withLock { $0 } }
    private let log: Log

    private init(listener: LoopbackListener, counters: UpstreamStub.Counters, log: Log) {
        self.listener = listener
        self.counters = counters
        self.log = log
    }

    /// Starts a stub on 127.0.0.1 with an ephemeral port.
    public static func start(acceptUpgrades: Bool = true) async throws -> WebSocketEchoStub {
        let counters = UpstreamStub.Counters()
        let log = Log()
        let listener = try await LoopbackListener.bind(group: nil) { channel in
            counters.connections.withLock { $0 += 1 }
            channel.closeFuture.whenComplete { _ in counters.closed.withLock { $0 += 1 } }
            let upgrader = NIOWebSocketServerUpgrader(
                maxFrameSize: 1 << 20,
                shouldUpgrade: { channel, head in
                    var headers: [String: String] = [:]
                    for (name, value) in head.headers { headers[name.lowercased()] = value }
                    log.heads.withLock { $0.append(headers) }
                    return channel.eventLoop.makeSucceededFuture(acceptUpgrades ? HTTPHeaders() : nil)
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        // The plain HTTP handler would see frames as HTTP parts: it goes.
                        let refusing = try channel.pipeline.syncOperations.handler(type: RefusingHandler.self)
                        channel.pipeline.syncOperations.removeHandler(refusing, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(EchoFrameHandler())
                    }
                }
            )
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
            )
            try channel.pipeline.syncOperations.addHandler(RefusingHandler())
        }
        return WebSocketEchoStub(listener: listener, counters: counters, log: log)
    }

    /// Stops listening. Open connections are closed by peers or with the event loop group.
    public func close() async throws {
        try await self.listener.close()
    }

    private final class Log: Sendable {
        let heads = Mutex<[[String: String]]>([])
    }
}

/// Echoes data frames unmasked; answers ping with pong and close with close.
private final class EchoFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            let reply = WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData)
            context.write(self.wrapOutboundOut(reply), promise: nil)
        case .ping:
            context.write(self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            ()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

/// Answers every plain HTTP request (a refused upgrade included) with 426 and a short body,
/// saying in `x-seen-upgrade` and `x-seen-connection` what the request carried.
private final class RefusingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var seen = HTTPHeaders()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        if case .head(let head) = part {
            self.seen = HTTPHeaders()
            for name in ["upgrade", "connection"] {
                self.seen.add(name: "x-seen-\(name)", value: head.headers[name].joined(separator: ", "))
            }
        }
        guard case .end = part else { return }
        let body = context.channel.allocator.buffer(string: "upgrade refused")
        var headers = self.seen
        headers.add(name: "content-length", value: String(body.readableBytes))
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .upgradeRequired, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}
