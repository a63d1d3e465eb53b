public import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
public import NIOSSL
public import PorticoRouteTable

/// A loopback gRPC server over h2c (HTTP/2 by prior knowledge), or h2 over TLS when given a
/// context (offering ALPN `h2`, e.g. `HTTP2UpstreamStub.tlsContext`), standing in for a gRPC upstream,
/// with gRPC framing but no gRPC library: messages are strings (see `GRPCFraming`).
///
/// Methods (any service name; the method is the last path segment):
/// - `Get` (unary) and `Update` (bidirectional): echo every message as soon as it is complete;
/// - `Expand` (server streaming): for each message `m`, sends `m-0`, `m-1`, `m-2`;
/// - `Collect` (client streaming): at the end, one message joining all received with spaces.
///
/// The response headers go out when the request headers arrive (before any message, as gRPC
/// servers do for streaming calls); the trailers carry `grpc-status` 0, or the status given in
/// the request header `x-echo-status` with `grpc-message: requested`. Response headers echo
/// `x-seen-te` and `x-seen-content-type`.
public final class GRPCEchoStub: Sendable {
    private let listener: LoopbackListener

    public var port: Int { self.listener.port }
    /// Where the proxy should send traffic for this stub.
    public var endpoint: Endpoint { self.listener.endpoint }

    private init(listener: LoopbackListener) {
        self.listener = listener
    }

    public static func start(tls: NIOSSLContext? = nil, group: (any EventLoopGroup)? = nil) async throws -> GRPCEchoStub {
        let listener = try await LoopbackListener.bind(group: group, tls: tls) { channel in
            _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .server,
                connectionConfiguration: .init(),
                streamConfiguration: .init(),
                inboundStreamInitializer: { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(GRPCEchoHandler())
                    }
                }
            )
        }
        return GRPCEchoStub(listener: listener)
    }

    /// Stops listening.
    public func close() async throws {
        try await self.listener.close()
    }
}

/// Serves one gRPC call on one stream.
private final class GRPCEchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var method = ""
    private var requestedStatus: String?
    private var reader = GRPCFraming.Reader()
    private var collected: [String] = []
    private var headersReceived = false
    private var finished = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .headers(let headers):
            if !self.headersReceived {
                self.headersReceived = true
                self.method = String(headers.headers.first(name: ":path")?.split(separator: "/").last ?? "")
                self.requestedStatus = headers.headers.first(name: "x-echo-status")
                var response = HPACKHeaders([(":status", "200"), ("content-type", "application/grpc")])
                response.add(name: "x-seen-te", value: headers.headers.first(name: "te") ?? "")
                response.add(name: "x-seen-content-type", value: headers.headers.first(name: "content-type") ?? "")
                context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: response))), promise: nil)
            }
            if headers.endStream { self.finish(context: context) }
        case .data(let data):
            if case .byteBuffer(let buffer) = data.data { self.reader.append(buffer) }
            while let message = self.reader.next() { self.handle(message, context: context) }
            context.flush()
            if data.endStream { self.finish(context: context) }
        default:
            ()
        }
    }

    private func handle(_ message: String, context: ChannelHandlerContext) {
        switch self.method {
        case "Expand":
            for index in 0..<3 { self.send("\(message)-\(index)", context: context) }
        case "Collect":
            self.collected.append(message)
        default:
            self.send(message, context: context)
        }
    }

    private func send(_ message: String, context: ChannelHandlerContext) {
        context.write(self.wrapOutboundOut(.data(.init(data: .byteBuffer(GRPCFraming.frame(message))))), promise: nil)
    }

    private func finish(context: ChannelHandlerContext) {
        guard !self.finished else { return }
        self.finished = true
        if self.method == "Collect" { self.send(self.collected.joined(separator: " "), context: context) }
        var trailers = HPACKHeaders([("grpc-status", self.requestedStatus ?? "0")])
        if self.requestedStatus != nil { trailers.add(name: "grpc-message", value: "requested") }
        context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
    }
}
