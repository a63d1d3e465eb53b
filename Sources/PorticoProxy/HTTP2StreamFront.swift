internal import NIOCore
internal import NIOHTTP1
internal import NIOHTTP2

/// The first handler of an HTTP/2 stream at the edge, where frame payloads become the request
/// parts `ProxyHandler` serves and its response parts leave as frame payloads. It takes the
/// place of NIO's `HTTP2FramePayloadToHTTP1ServerCodec` (whose outbound half
/// `HTTP2ResponseFrames` had replaced already): one handler less to add, remove and pass on
/// every stream, no `NIOAny` cast per request part, and one pass over the request's header
/// block instead of five: 191,252 → 183,627 instructions an HTTP/2 request
/// (`bench/callgrind.sh --http2`, bench/README.md).
///
/// - Inbound, a request goes on only when its header block and trailers follow
///   `HTTP2RequestBlockRules`; a malformed one resets the stream with PROTOCOL_ERROR and
///   nothing of it reaches the proxy. The head is the one NIO's codec would make (`HTTP/2.0`,
///   `host` from `:authority` when the block has none, `content-length: 0` or
///   `transfer-encoding: chunked` for methods that expect a body; a test holds the two side by
///   side), except that a block with `Host` and no `:authority`, which RFC 9113 allows, is
///   served rather than refused. CONNECT, which has no path to route, closes the stream, as
///   NIO's codec did. Parts go to the `ProxyHandler` directly (`deliver(to:)`), as
///   `HTTP1RequestDecoder` does on a connection: no `NIOAny` wrap and cast back.
/// - Outbound, a HEADERS frame followed at once by an empty final DATA frame leaves as one
///   HEADERS frame with END_STREAM.
///
/// `ProxyHandler` writes a response as HEADERS and an end without trailers as an empty DATA
/// frame with END_STREAM. That is valid HTTP/2, but a gRPC "trailers-only" response
/// (Portico's own gRPC errors) must be a single HEADERS frame with END_STREAM, and for every
/// bodiless response (204, 304, HEAD) one frame is also one frame less. So a HEADERS frame
/// without END_STREAM is held until the next write or flush: an empty end joins it, any other
/// write or a flush lets it go unchanged.
///
/// `ProxyHandler` hands it its response's payloads directly (`write(_:promise:)`, made by
/// `HTTP2ResponseFrames`); payloads written through the pipeline are taken as well.
final class HTTP2StreamFront: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private enum State {
        case awaitingHead
        case awaitingTrailers
        /// The request has ended, or was reset (a malformed block) or closed (CONNECT):
        /// whatever else arrives is dropped.
        case done
    }

    private var state = State.awaitingHead
    private var held: (headers: HTTP2Frame.FramePayload.Headers, promise: EventLoopPromise<Void>?)?
    private var context: ChannelHandlerContext?
    /// The handler that parts go to directly, past the pipeline; let go when this handler is
    /// removed (the proxy holds this handler for its responses).
    private var receiver: ProxyHandler?

    /// Hands request parts to `receiver` directly instead of down the pipeline. The pipeline's
    /// other events still reach it the usual way.
    func deliver(to receiver: ProxyHandler) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .headers(let headers):
            self.received(headers, context: context)
        case .data(let data):
            guard case .awaitingTrailers = self.state else { return }
            guard case .byteBuffer(let buffer) = data.data else {
                self.reject(context: context)
                return
            }
            if !data.endStream {
                self.fire(.body(buffer), context: context)
                return
            }
            self.state = .done
            if buffer.readableBytes > 0 { self.fire(.body(buffer), context: context) }
            self.fire(.end(nil), context: context)
        default:
            // Resets, window updates and priorities are the stream channel's business.
            ()
        }
    }

    private func received(_ headers: HTTP2Frame.FramePayload.Headers, context: ChannelHandlerContext) {
        switch self.state {
        case .awaitingHead:
            switch HTTP2RequestBlockRules.readRequest(headers.headers) {
            case .success(let request) where request.isConnect:
                self.state = .done
                context.close(promise: nil)
            case .success(let request):
                self.state = headers.endStream ? .done : .awaitingTrailers
                self.fire(.head(Self.head(of: request, endStream: headers.endStream)), context: context)
                if headers.endStream { self.fire(.end(nil), context: context) }
            case .failure:
                self.reject(context: context)
            }
        case .awaitingTrailers:
            switch HTTP2RequestBlockRules.readTrailers(headers.headers) {
            case .success(let fields):
                self.state = .done
                self.fire(.end(HTTPHeaders(fields)), context: context)
            case .failure:
                self.reject(context: context)
            }
        case .done:
            ()
        }
    }

    /// The request head NIO's codec would make of `request` (`HTTPRequestHead(http2HeaderBlock:isEndStream:)`).
    private static func head(of request: HTTP2RequestBlockRules.Request, endStream: Bool) -> HTTPRequestHead {
        let method = HTTPMethod(rawValue: request.method)
        var fields: [(String, String)] = []
        fields.reserveCapacity(request.fields.count + 2)
        if !request.hasHost, let authority = request.authority {
            fields.append(("host", authority))
        }
        switch method {
        case .GET, .HEAD, .DELETE, .CONNECT, .TRACE:
            // RFC 9110 section 8.6: no Content-Length on a request without a body whose method
            // does not anticipate one.
            break
        default:
            if !request.hasContentLength {
                fields.append(endStream ? ("content-length", "0") : ("transfer-encoding", "chunked"))
            }
        }
        fields.append(contentsOf: request.fields)
        return HTTPRequestHead(
            version: HTTPVersion(major: 2, minor: 0),
            method: method,
            uri: request.path ?? "",
            headers: HTTPHeaders(fields)
        )
    }

    /// RFC 9113 section 8.1.1: a malformed request resets its stream with PROTOCOL_ERROR.
    private func reject(context: ChannelHandlerContext) {
        self.state = .done
        context.writeAndFlush(self.wrapOutboundOut(.rstStream(.protocolError)), promise: nil)
    }

    @inline(__always)
    private func fire(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        if let receiver = self.receiver {
            receiver.received(part)
        } else {
            context.fireChannelRead(self.wrapInboundOut(part))
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
        self.receiver = nil
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
