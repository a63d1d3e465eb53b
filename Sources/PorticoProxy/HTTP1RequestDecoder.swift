internal import NIOCore
internal import NIOHTTP1

/// Reads HTTP/1 requests from a downstream connection's bytes and hands them on as
/// `HTTPServerRequestPart`s: a head, body parts as they arrive (slices of the bytes read, not
/// copies), and an end with any trailers.
///
/// Portico's own, in place of NIO's `HTTPRequestDecoder` (llhttp behind a
/// `ByteToMessageHandler`): llhttp calls back into Swift for every piece of every line, and the
/// glue around it looks up generic metadata at run time on every read. A proxied keep-alive
/// request went from 74,484 to 71,198 instructions (bench/README.md). A head here is found
/// whole (`HTTP1LineEnds`) and read in one pass (`HTTP1RequestHeadParser`). The rules are as
/// strict as llhttp's or stricter; `HTTP1RequestDecoderDifferentialTests` feed both the same
/// generated and hostile requests.
///
/// A malformed request goes down the pipeline as an `HTTP1ParseError` (`ProxyHandler`
/// answers it and closes); nothing is read after it. Nor after a request that asks for the
/// connection to close (as llhttp and nginx), or an upgrade request: the connection either
/// switches protocols (`UpgradeSwitch` removes this handler) or closes, and bytes a client
/// sends before the 101 are dropped (a WebSocket client must wait for it, RFC 6455 section 4.1).
final class HTTP1RequestDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPServerRequestPart

    private enum State {
        case head
        case body(HTTP1BodyReader)
        /// An upgrade request, or one after which the connection closes, has ended.
        case finished
        case failed
    }

    private let maxHeadBytes: Int
    private var state = State.head
    /// Bytes of a head, chunk line or trailer section not yet complete, from earlier reads.
    private var held = HTTP1HeldBytes()
    private var lineEnds = HTTP1LineEnds()
    /// The previous head's strings, which the next head reuses where its bytes repeat.
    private var recentFields = HTTP1RecentFields()
    /// The request being read is the connection's last (an upgrade request, or one that asks
    /// for the connection to close): reading stops after its end.
    private var lastRequest = false
    private var removed = false
    /// The handler that parts go to directly, past the pipeline (see `deliver(to:)`).
    private var receiver: ProxyHandler?

    /// Where the connection's last head's strings go when it closes, and where they came from.
    private let shelf: HTTP1RecentFields.Shelf?
    /// The connection's idle and head timeouts, told of what this handler sees (see
    /// `ConnectionTimeouts`).
    private let timeouts: ConnectionTimeouts?

    /// `maxHeadBytes` bounds a request head (request line, fields, blank line) and, separately,
    /// a trailer section; over it the request is answered 431. The decoder starts from the
    /// strings on `shelf` and leaves its own there when it is removed.
    init(maxHeadBytes: Int, shelf: HTTP1RecentFields.Shelf? = nil, timeouts: ConnectionTimeouts? = nil) {
        self.maxHeadBytes = maxHeadBytes
        self.shelf = shelf
        self.timeouts = timeouts
        if let shelf { self.recentFields = shelf.fields }
    }

    /// Hands parts to `receiver` directly instead of down the pipeline, as
    /// `HTTP1ResponseDecoder` does to its connection, for the same reasons: no `NIOAny` wrap
    /// and cast back per part, and a head moved rather than shared. Errors and the pipeline's
    /// other events still reach `receiver` the usual way.
    func deliver(to receiver: ProxyHandler) {
        self.receiver = receiver
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.timeouts?.attach(to: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.removed = true
        self.receiver = nil
        _ = self.held.take()
        self.shelf?.fields = self.recentFields
        self.timeouts?.detach()
    }

    func channelActive(context: ChannelHandlerContext) {
        self.timeouts?.channelActive()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timeouts?.channelInactive()
        context.fireChannelInactive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        self.timeouts?.readCycleEnded()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.timeouts?.bytesReceived()
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

    private func decode(_ input: inout ByteBuffer, context: ChannelHandlerContext) throws {
        // A body's end can come without a byte more (its last bytes were the previous step),
        // so each state says itself when it needs more.
        while !self.removed {
            switch self.state {
            case .head:
                guard input.readableBytes > 0, let parsed = try self.readHead(&input) else { return }
                self.lastRequest = parsed.switchesProtocols || parsed.closesAfter
                let framing = parsed.framing
                switch framing {
                case .none: break
                case .length(let length): self.state = .body(HTTP1BodyReader(.length(length), maxTrailerBytes: self.maxHeadBytes))
                case .chunked: self.state = .body(HTTP1BodyReader(.chunked, maxTrailerBytes: self.maxHeadBytes))
                }
                // Consumed, so that the head handed on holds the only reference to its header
                // list (see `deliver(to:)`).
                self.fire(.head((consume parsed).head), context: context)
                if framing == .none { self.end(trailers: nil, context: context) }
            case .body(var reader):
                let step = try reader.next(&input)
                self.state = .body(reader)
                switch step {
                case .body(let bytes): self.fire(.body(bytes), context: context)
                case .end(let trailers): self.end(trailers: trailers, context: context)
                case .needMore: return
                }
            case .finished, .failed:
                input.moveReaderIndex(to: input.writerIndex)
                return
            }
        }
    }

    /// A complete head, or nil while its blank line has not come. CR and LF bytes before a
    /// request line are skipped, as llhttp does (RFC 9112 section 2.2: some clients send CRLF
    /// after a body).
    private func readHead(_ input: inout ByteBuffer) throws -> HTTP1RequestHeadParser.Parsed? {
        if self.lineEnds.lineStart == 0 {
            while let byte = input.getInteger(at: input.readerIndex, as: UInt8.self), byte == HTTP1Syntax.cr || byte == HTTP1Syntax.lf {
                input.moveReaderIndex(forwardBy: 1)
            }
        }
        let maxHeadBytes = self.maxHeadBytes
        let found = try input.withUnsafeReadableBytes { raw -> (Int, HTTP1RequestHeadParser.Parsed)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let end = try self.lineEnds.blockEnd(in: bytes) else { return nil }
            guard end <= maxHeadBytes else { throw HTTP1ParseError.headTooLarge }
            return (end, try HTTP1RequestHeadParser.parse(UnsafeBufferPointer(rebasing: bytes[0..<end]), recent: &self.recentFields))
        }
        guard let (length, parsed) = found else {
            if input.readableBytes > maxHeadBytes { throw HTTP1ParseError.headTooLarge }
            return nil
        }
        input.moveReaderIndex(forwardBy: length)
        return parsed
    }

    private func end(trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        self.state = self.lastRequest ? .finished : .head
        self.lastRequest = false
        self.fire(.end(trailers), context: context)
    }

    @inline(__always)
    private func fire(_ part: consuming HTTPServerRequestPart, context: ChannelHandlerContext) {
        if let receiver = self.receiver {
            receiver.received(consume part)
        } else {
            context.fireChannelRead(self.wrapInboundOut(part))
        }
    }
}
