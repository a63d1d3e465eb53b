internal import NIOCore
internal import NIOHTTP1

/// Reads an upstream connection's HTTP/1 responses and hands them on as
/// `HTTPClientResponsePart`s: a head, body parts as they arrive (slices of the bytes read),
/// an end with any trailers.
///
/// Portico's own, in place of NIO's `HTTPResponseDecoder` (llhttp behind a
/// `ByteToMessageHandler`), for the reasons `HTTP1RequestDecoder` gives; the body rules are
/// shared (`HTTP1BodyReader`). `UpstreamRequestEncoder` tells it of each request sent
/// (`requestSent`), since a response to HEAD has no body whatever its headers say.
///
/// Informational responses (1xx) are dropped, except 101: after it nothing more is read, and
/// the bytes that came after the 101 in the same read go on to whatever replaces this handler
/// (`UpgradeSwitch`'s relay) when it is removed, so none of the new protocol is lost. A body
/// without `Content-Length` or chunked framing ends with the connection, at which point the
/// end is handed on before the close.
final class HTTP1ResponseDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPClientResponsePart

    /// Largest response head read, as NIO's decoder allowed.
    static let maxHeadBytes = 80 * 1024

    private enum State {
        case head
        case body(HTTP1BodyReader)
        /// After a 101, or a body that ran to the connection's end: nothing more is HTTP.
        case finished
        case failed
    }

    private var state = State.head
    private var held = HTTP1HeldBytes()
    private var lineEnds = HTTP1LineEnds()
    /// The previous head's strings, which the next head reuses where its bytes repeat.
    private var recentFields = HTTP1RecentFields()
    /// Methods of the requests sent whose final responses have not come yet, oldest first.
    private var methods: [HTTPMethod] = []
    private var removed = false
    /// The handler that parts go to directly, past the pipeline (see `deliver(to:)`).
    private var receiver: UpstreamConnection?

    /// Hands parts to `receiver` directly instead of down the pipeline: through it, each part
    /// was wrapped in `NIOAny` and cast back by the receiver (about 500 instructions a part,
    /// three a response), and the receiver's copy of a head kept the decoder's alive, so that
    /// removing hop-by-hop headers copied the whole header list. The pipeline's events
    /// (read complete, writability, close) still reach `receiver` the usual way.
    func deliver(to receiver: UpstreamConnection) {
        self.receiver = receiver
    }

    /// The connection sent a request: its response is read next, after any before it.
    func requestSent(_ method: HTTPMethod) {
        self.methods.append(method)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.removed = true
        // The receiver holds this decoder (through its encoder): the cycle ends here.
        self.receiver = nil
        if let held = self.held.take(), case .finished = self.state {
            context.fireChannelRead(NIOAny(held))
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = self.held.joined(with: self.unwrapInboundIn(data))
        do {
            try self.decode(&input, context: context)
        } catch {
            self.state = .failed
            input.moveReaderIndex(to: input.writerIndex)
            context.fireErrorCaught(error)
        }
        if !self.removed { self.held.keep(input) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .body(let reader) = self.state, reader.endsWithConnection {
            self.state = .finished
            self.emit(.end(nil), context: context)
        }
        context.fireChannelInactive()
    }

    private func decode(_ input: inout ByteBuffer, context: ChannelHandlerContext) throws {
        while !self.removed {
            switch self.state {
            case .head:
                guard input.readableBytes > 0, let parsed = try self.readHead(&input) else { return }
                let status = parsed.head.status
                if status.code < 200, status != .switchingProtocols {
                    // Informational: the final response to the same request follows.
                    continue
                }
                let method = self.methods.isEmpty ? .GET : self.methods.removeFirst()
                let declared = parsed.declared
                // Consumed, so that the head handed on holds the only reference to its header
                // list (hop-by-hop removal then edits it in place).
                self.emit(.head((consume parsed).head), context: context)
                if status == .switchingProtocols {
                    self.state = .finished
                    self.emit(.end(nil), context: context)
                    return
                }
                if let framing = HTTP1ResponseHeadParser.bodyFraming(status: status, method: method, declared: declared) {
                    self.state = .body(HTTP1BodyReader(framing, maxTrailerBytes: Self.maxHeadBytes))
                } else {
                    self.emit(.end(nil), context: context)
                }
            case .body(var reader):
                let step = try reader.next(&input)
                self.state = .body(reader)
                switch step {
                case .body(let bytes):
                    self.emit(.body(bytes), context: context)
                case .end(let trailers):
                    self.state = .head
                    self.emit(.end(trailers), context: context)
                case .needMore:
                    return
                }
            case .finished:
                // Kept for whoever comes after a 101.
                return
            case .failed:
                input.moveReaderIndex(to: input.writerIndex)
                return
            }
        }
    }

    @inline(__always)
    private func emit(_ part: consuming HTTPClientResponsePart, context: ChannelHandlerContext) {
        if let receiver = self.receiver {
            receiver.received(consume part)
        } else {
            context.fireChannelRead(self.wrapInboundOut(part))
        }
    }

    /// A complete head, or nil while its blank line has not come.
    private func readHead(_ input: inout ByteBuffer) throws -> HTTP1ResponseHeadParser.Parsed? {
        let found = try input.withUnsafeReadableBytes { raw -> (Int, HTTP1ResponseHeadParser.Parsed)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let end = try self.lineEnds.blockEnd(in: bytes) else { return nil }
            guard end <= Self.maxHeadBytes else { throw HTTP1ParseError.headTooLarge }
            return (end, try HTTP1ResponseHeadParser.parse(UnsafeBufferPointer(rebasing: bytes[0..<end]), recent: &self.recentFields))
        }
        guard let (length, parsed) = found else {
            if input.readableBytes > Self.maxHeadBytes { throw HTTP1ParseError.headTooLarge }
            return nil
        }
        input.moveReaderIndex(forwardBy: length)
        return parsed
    }
}
