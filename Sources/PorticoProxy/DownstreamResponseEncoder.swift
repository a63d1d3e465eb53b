internal import NIOCore
internal import NIOHTTP1

/// Writes the responses of a downstream HTTP/1 connection: the head in one buffer
/// (`HTTP1HeadBytes`), the body framed as the head says (`HTTP1BodyFraming`).
///
/// It takes the place of NIO's `HTTPResponseEncoder`, whose header writing cost about 3,700
/// instructions per proxied response. NIO's request decoder tells its encoder the method of
/// every request (through an internal link), so that a response to HEAD or CONNECT goes out
/// without a body; here `ProxyHandler` does, calling `answering(_:)` as each request head
/// arrives. `ProxyHandler` answers one request at a time, so one method is enough.
///
/// In the edge proxy it is not a handler of the connection's pipeline: `ProxyHandler` owns it
/// and hands it its parts directly (`write(_:from:promise:)`), which writes the bytes from
/// `ProxyHandler`'s place. Through the pipeline, each part would be boxed as `Any` and
/// unwrapped here with a runtime cast (about 470 instructions, three per response), and the
/// handler would cost its addition and removal on every connection and a call on every flush
/// and read. It still works as an outbound handler, which is how its tests compare it with
/// NIO's encoder.
final class DownstreamResponseEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = IOData

    /// The method of the request the next final response answers, until that response's head.
    private var method: HTTPMethod?
    private var suppressesBody = false
    private var isChunked = false
    /// The size this connection's heads have needed (see `HTTP1HeadBytes`).
    private var headSizeHint = HTTP1HeadBytes.HeadSizeHint()
    /// A final response's head, not yet written: the body part that follows it is copied into
    /// the same buffer when it fits the room the head left, so that a small response goes
    /// down the pipeline as one write (each write costs about 1,400 instructions in NIO) and
    /// out as one buffer. Written by the next part, or by `writeHeldHead(from:)`, which the
    /// owner calls before it flushes.
    private var heldHead: ByteBuffer?

    /// The request whose response comes next has this method.
    func answering(_ method: HTTPMethod) {
        self.method = method
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.encode(self.unwrapOutboundIn(data), context: context, promise: promise, knownFraming: nil)
    }

    func flush(context: ChannelHandlerContext) {
        self.writeHeldHead(from: context)
        context.flush()
    }

    /// Encodes `part` and writes its bytes from `context`'s place in the pipeline (the
    /// handler that owns this encoder).
    func write(
        _ part: HTTPServerResponsePart,
        from context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?,
        knownFraming: HTTP1BodyFraming.KnownFields? = nil
    ) {
        self.encode(part, context: context, promise: promise, knownFraming: knownFraming)
    }

    /// `knownFraming`: what `HeaderRewriter` found of a head's framing fields, when it
    /// rewrote it (see `HTTP1BodyFraming.KnownFields`).
    private func encode(
        _ part: HTTPServerResponsePart,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?,
        knownFraming: HTTP1BodyFraming.KnownFields?
    ) {
        switch part {
        case .head(var head):
            // A 1xx other than 101 is followed by the final response, which the method is for.
            let code = head.status.code
            let isInterim = code >= 100 && code < 200 && code != 101
            var answersConnect = false
            if !isInterim, let method = self.method {
                self.method = nil
                // Matched by case: `==` on `HTTPMethod` compares the methods' names as strings.
                switch method {
                case .HEAD: self.suppressesBody = true
                case .CONNECT: (self.suppressesBody, answersConnect) = (true, true)
                default: self.suppressesBody = false
                }
            }
            // A HEAD response keeps what a GET would have said about its body (RFC 9112
            // section 6.1); a CONNECT response says nothing (RFC 9110 section 9.3.6).
            let body: HTTP1BodyFraming.Body = answersConnect || !head.status.mayHaveResponseBody ? .none : .expected
            let chunked = HTTP1BodyFraming.frame(&head.headers, body: body, version: head.version, known: knownFraming)
            self.isChunked = chunked && !self.suppressesBody
            let bytes = HTTP1HeadBytes.response(head, allocator: context.channel.allocator, hint: &self.headSizeHint)
            self.writeHeldHead(from: context)
            if promise == nil, !isInterim, code != 101 {
                self.heldHead = bytes
            } else {
                context.write(self.wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
            }
        case .body(let part):
            if self.suppressesBody {
                // Nothing may follow the head of a HEAD or CONNECT response; the caller learns
                // of the write it should not have made, and the wire stays well-formed.
                promise?.fail(NIOHTTPResponseEncoderError.responseBodyNotAllowed)
            } else if var head = self.heldHead, !self.isChunked, promise == nil, case .byteBuffer(var body) = part,
                body.readableBytes <= head.writableBytes
            {
                self.heldHead = nil
                head.writeBuffer(&body)
                context.write(self.wrapOutboundOut(.byteBuffer(head)), promise: nil)
            } else {
                self.writeHeldHead(from: context)
                HTTP1BodyFraming.write(part, chunked: self.isChunked, context: context, promise: promise)
            }
        case .end(let trailers):
            self.writeHeldHead(from: context)
            self.suppressesBody = false
            HTTP1BodyFraming.writeEnd(trailers: trailers, chunked: self.isChunked, context: context, promise: promise)
        }
    }

    /// Writes the head held back for its body, if any; before every flush of the connection.
    func writeHeldHead(from context: ChannelHandlerContext) {
        guard let head = self.heldHead else { return }
        self.heldHead = nil
        context.write(self.wrapOutboundOut(.byteBuffer(head)), promise: nil)
    }
}
