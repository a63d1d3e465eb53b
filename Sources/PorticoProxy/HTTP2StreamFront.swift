internal import NIOCore
internal import NIOHTTP2

/// The first handler of an HTTP/2 stream at the edge, where frame payloads cross between the
/// stream channel and NIO's HTTP/2-to-HTTP/1 codec. Two jobs that both need that place, in one
/// handler because each handler of a stream costs its addition, its removal and a call per
/// frame on every request (the second handler cost about 1% of an HTTP/2 request):
///
/// - Inbound, a request goes on only when its header block and trailers follow
///   `HTTP2RequestBlockRules` (`HTTP2RequestValidation`); a malformed one resets the stream
///   with PROTOCOL_ERROR and nothing of it reaches the proxy.
/// - Outbound, a HEADERS frame followed at once by an empty final DATA frame leaves as one
///   HEADERS frame with END_STREAM.
///
/// NIO's HTTP/2-to-HTTP/1 codec turns a response head into HEADERS and an end without trailers
/// into an empty DATA frame with END_STREAM. That is valid HTTP/2, but a gRPC "trailers-only"
/// response (Portico's own gRPC errors) must be a single HEADERS frame with END_STREAM, and
/// for every bodiless response (204, 304, HEAD) one frame is also one frame less. So a HEADERS
/// frame without END_STREAM is held until the next write or flush: an empty end joins it, any
/// other write or a flush lets it go unchanged.
///
/// `ProxyHandler` hands it its response's payloads directly (`write(_:promise:)`, made by
/// `HTTP2ResponseFrames`), past NIO's codec; payloads written through the pipeline are taken
/// as well.
final class HTTP2StreamFront: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var validation = HTTP2RequestValidation()
    private var held: (headers: HTTP2Frame.FramePayload.Headers, promise: EventLoopPromise<Void>?)?
    private var context: ChannelHandlerContext?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.validation.admit(self.unwrapInboundIn(data)) {
        case .pass:
            context.fireChannelRead(data)
        case .reset:
            context.writeAndFlush(self.wrapOutboundOut(.rstStream(.protocolError)), promise: nil)
        case .drop:
            ()
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.write(self.unwrapOutboundIn(data), context: context, promise: promise)
    }

    /// Sends a payload from this handler's place in the pipeline, past the handlers above it.
    func write(_ payload: HTTP2Frame.FramePayload, promise: EventLoopPromise<Void>?) {
        guard let context = self.context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        self.write(payload, context: context, promise: promise)
    }

    private func write(_ payload: HTTP2Frame.FramePayload, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        if let held = self.held {
            self.held = nil
            if case .data(let body) = payload, body.endStream, body.data.readableBytes == 0 {
                var headers = held.headers
                headers.endStream = true
                context.write(self.wrapOutboundOut(.headers(headers)), promise: Self.combine(held.promise, promise))
                return
            }
            context.write(self.wrapOutboundOut(.headers(held.headers)), promise: held.promise)
        }
        if case .headers(let headers) = payload, !headers.endStream {
            self.held = (headers, promise)
        } else {
            context.write(self.wrapOutboundOut(payload), promise: promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        self.release(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.release(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.release(context: context)
        self.context = nil
    }

    private func release(context: ChannelHandlerContext) {
        guard let held = self.held else { return }
        self.held = nil
        context.write(self.wrapOutboundOut(.headers(held.headers)), promise: held.promise)
    }

    /// One promise for a write that stands for two.
    private static func combine(_ first: EventLoopPromise<Void>?, _ second: EventLoopPromise<Void>?) -> EventLoopPromise<Void>? {
        guard let first else { return second }
        if let second { first.futureResult.cascade(to: second) }
        return first
    }
}
