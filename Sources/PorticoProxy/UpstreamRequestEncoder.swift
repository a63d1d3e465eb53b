internal import NIOCore
internal import NIOHTTP1

/// Writes the requests of an upstream HTTP/1 connection: the head in one buffer
/// (`HTTP1HeadBytes`), the body framed as the head says (`HTTP1BodyFraming`).
///
/// It takes the place of NIO's `HTTPRequestEncoder`, whose header writing cost about 6,400
/// instructions per proxied request (a request carries the client's headers and the
/// `X-Forwarded-*` family).
///
/// `UpstreamConnection`, the last handler, hands it its parts directly (`write(_:)`) rather
/// than through the pipeline: NIO's response decoder, which Portico used before, watched
/// outbound parts there to know which responses answer HEAD, a runtime cast and a generic
/// metadata lookup per part (about 4,600 instructions per request). This encoder tells the
/// response decoder of each head itself (`HTTP1ResponseDecoder.requestSent`). Parts written
/// through the pipeline are encoded too.
final class UpstreamRequestEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    private let responseDecoder: HTTP1ResponseDecoder?
    private var context: ChannelHandlerContext?
    private var isChunked = false
    /// The size this connection's heads have needed (see `HTTP1HeadBytes`).
    private var headSizeHint = HTTP1HeadBytes.HeadSizeHint()

    /// `responseDecoder`: the decoder of this channel's responses, told of each request head
    /// sent; nil when nothing reads the responses as HTTP/1 (tests of the encoding alone).
    init(responseDecoder: HTTP1ResponseDecoder? = nil) {
        self.responseDecoder = responseDecoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.encode(self.unwrapOutboundIn(data), context: context, promise: promise, knownFraming: nil)
    }

    /// Sends a part from this handler's place in the pipeline, past the handlers above it.
    func write(_ part: HTTPClientRequestPart, knownFraming: HTTP1BodyFraming.KnownFields? = nil) {
        guard let context = self.context else { return }
        self.encode(part, context: context, promise: nil, knownFraming: knownFraming)
    }

    func flush() {
        self.context?.flush()
    }

    private func encode(
        _ part: HTTPClientRequestPart,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?,
        knownFraming: HTTP1BodyFraming.KnownFields?
    ) {
        switch part {
        case .head(var head):
            self.responseDecoder?.requestSent(head.method)
            self.isChunked = HTTP1BodyFraming.frame(
                &head.headers,
                body: .ofRequest(head.method),
                version: head.version,
                known: knownFraming
            )
            let bytes = HTTP1HeadBytes.request(head, allocator: context.channel.allocator, hint: &self.headSizeHint)
            context.write(self.wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        case .body(let part):
            HTTP1BodyFraming.write(part, chunked: self.isChunked, context: context, promise: promise)
        case .end(let trailers):
            HTTP1BodyFraming.writeEnd(trailers: trailers, chunked: self.isChunked, context: context, promise: promise)
        }
    }
}
