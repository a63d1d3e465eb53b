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
/// A malformed request goes down the pipeline as an `HTTP1RequestError` (`ProxyHandler`
/// answers it and closes); nothing is read after it. Nor after a request that asks for the
/// connection to close (as llhttp and nginx), or an upgrade request: the connection either
/// switches protocols (`UpgradeSwitch` removes this handler) or closes, and bytes a client
/// sends before the 101 are dropped (a WebSocket client must wait for it, RFC 6455 section 4.1).
final class HTTP1RequestDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = HTTPServerRequestPart

    private enum State {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkDataEnd
        case trailers
        /// An upgrade request, or one after which the connection closes, has ended.
        case finished
        case failed
    }

    private let maxHeadBytes: Int
    private var state = State.head
    /// Bytes of a head, chunk line or trailer section not yet complete, from earlier reads.
    private var held: ByteBuffer?
    private var lineEnds = HTTP1LineEnds()
    /// The request being read is the connection's last (an upgrade request, or one that asks
    /// for the connection to close): reading stops after its end.
    private var lastRequest = false
    private var removed = false

    /// `maxHeadBytes` bounds a request head (request line, fields, blank line) and, separately,
    /// a trailer section; over it the request is answered 431.
    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.removed = true
        self.held = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = self.unwrapInboundIn(data)
        if var held = self.held {
            self.held = nil
            if held.readerIndex > 0 { held.discardReadBytes() }
            held.writeBuffer(&input)
            input = held
        }
        do {
            try self.decode(&input, context: context)
        } catch {
            self.state = .failed
            input.moveReaderIndex(to: input.writerIndex)
            context.fireErrorCaught(error)
        }
        if input.readableBytes > 0, !self.removed {
            self.held = input
        }
    }

    private func decode(_ input: inout ByteBuffer, context: ChannelHandlerContext) throws {
        while input.readableBytes > 0, !self.removed {
            switch self.state {
            case .head:
                guard let parsed = try self.readHead(&input) else { return }
                self.lastRequest = parsed.switchesProtocols || parsed.closesAfter
                switch parsed.framing {
                case .none:
                    self.fire(.head(parsed.head), context: context)
                    self.end(trailers: nil, context: context)
                case .length(let length):
                    self.state = .body(remaining: length)
                    self.fire(.head(parsed.head), context: context)
                case .chunked:
                    self.state = .chunkSize
                    self.fire(.head(parsed.head), context: context)
                }
            case .body(let remaining):
                let taken = self.readBody(&input, remaining: remaining, context: context)
                if taken == remaining {
                    self.end(trailers: nil, context: context)
                } else {
                    self.state = .body(remaining: remaining - taken)
                }
            case .chunkSize:
                let line = try input.withUnsafeReadableBytes { try HTTP1ChunkSizeLine.parse($0.bindMemory(to: UInt8.self)) }
                guard let (size, length) = line else { return }
                input.moveReaderIndex(forwardBy: length)
                self.state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let taken = self.readBody(&input, remaining: remaining, context: context)
                self.state = taken == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .chunkDataEnd:
                guard input.readableBytes >= 2 else {
                    if input.readableBytes == 1, input.getInteger(at: input.readerIndex, as: UInt8.self) != HTTP1Syntax.cr {
                        throw HTTP1RequestError.malformed("chunk data longer than its size")
                    }
                    return
                }
                guard input.readInteger(as: UInt16.self) == Self.crlf else {
                    throw HTTP1RequestError.malformed("chunk data longer than its size")
                }
                self.state = .chunkSize
            case .trailers:
                guard let trailers = try self.readTrailers(&input) else { return }
                self.end(trailers: trailers.isEmpty ? nil : trailers, context: context)
            case .finished, .failed:
                input.moveReaderIndex(to: input.writerIndex)
            }
        }
    }

    private static let crlf = UInt16(HTTP1Syntax.cr) << 8 | UInt16(HTTP1Syntax.lf)

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
            guard end <= maxHeadBytes else { throw HTTP1RequestError.headTooLarge }
            return (end, try HTTP1RequestHeadParser.parse(UnsafeBufferPointer(rebasing: bytes[0..<end])))
        }
        guard let (length, parsed) = found else {
            if input.readableBytes > maxHeadBytes { throw HTTP1RequestError.headTooLarge }
            return nil
        }
        input.moveReaderIndex(forwardBy: length)
        return parsed
    }

    /// The trailer section after the last chunk (empty when there are no trailers), or nil
    /// while it has not come whole.
    private func readTrailers(_ input: inout ByteBuffer) throws -> HTTPHeaders? {
        let maxHeadBytes = self.maxHeadBytes
        let found = try input.withUnsafeReadableBytes { raw -> (Int, HTTPHeaders)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let end = try self.lineEnds.blockEnd(in: bytes) else { return nil }
            guard end <= maxHeadBytes else { throw HTTP1RequestError.trailersTooLarge }
            guard end > 2 else { return (end, HTTPHeaders()) }
            var fields: [(String, String)] = []
            _ = try HTTP1FieldLines.read(UnsafeBufferPointer(rebasing: bytes[0..<end]), from: 0, into: &fields) { _, _ in }
            return (end, HTTPHeaders(fields))
        }
        guard let (length, trailers) = found else {
            if input.readableBytes > maxHeadBytes { throw HTTP1RequestError.trailersTooLarge }
            return nil
        }
        input.moveReaderIndex(forwardBy: length)
        return trailers
    }

    /// Hands on up to `remaining` body bytes as one part and returns how many.
    private func readBody(_ input: inout ByteBuffer, remaining: Int, context: ChannelHandlerContext) -> Int {
        let count = min(remaining, input.readableBytes)
        guard let slice = input.readSlice(length: count) else { return 0 }
        self.fire(.body(slice), context: context)
        return count
    }

    private func end(trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        self.state = self.lastRequest ? .finished : .head
        self.lastRequest = false
        self.fire(.end(trailers), context: context)
    }

    @inline(__always)
    private func fire(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        context.fireChannelRead(self.wrapInboundOut(part))
    }
}
