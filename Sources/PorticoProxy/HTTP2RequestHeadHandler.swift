internal import NIOCore
internal import NIOHTTP1

/// Prepares every request head sent on an HTTP/2 upstream stream.
///
/// - Adds `te: trailers`: header rewriting drops `te` with the other hop-by-hop headers, but
///   gRPC servers expect it (the gRPC wire spec requires it) and HTTP/2 allows exactly that
///   value, so every stream announces it, as nginx's `grpc_pass` does.
/// - Adds `host` (which becomes `:authority`) when an HTTP/1.0 client sent none: NIO's codec
///   cannot write a request without it, and the endpoint is the honest fallback.
final class HTTP2RequestHeadHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private let fallbackAuthority: String

    init(fallbackAuthority: String) {
        self.fallbackAuthority = fallbackAuthority
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = self.unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        head.headers.replaceOrAdd(name: "te", value: "trailers")
        if !head.headers.contains(name: "host") {
            head.headers.add(name: "host", value: self.fallbackAuthority)
        }
        context.write(self.wrapOutboundOut(.head(head)), promise: promise)
    }
}
