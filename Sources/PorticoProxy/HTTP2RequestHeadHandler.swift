internal import NIOCore
internal import NIOHTTP1

/// Adds `te: trailers` to every request head sent on an HTTP/2 upstream stream.
///
/// Header rewriting drops `te` with the other hop-by-hop headers, but gRPC servers expect
/// `te: trailers` (the gRPC wire spec requires it) and HTTP/2 allows exactly that value, so
/// every stream announces it, as nginx's `grpc_pass` does.
final class HTTP2RequestHeadHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = Self.unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        head.headers.replaceOrAdd(name: "te", value: "trailers")
        context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
    }
}
