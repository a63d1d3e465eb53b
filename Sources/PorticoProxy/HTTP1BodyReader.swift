internal import NIOCore
internal import NIOHTTP1

/// Reads one HTTP/1 message body from a connection's bytes, however it is delimited (RFC 9112
/// sections 6 and 7): by `Content-Length`, in chunks (size lines, data, the trailer section),
/// or by the connection's close (responses only). Shared by `HTTP1RequestDecoder` and
/// `HTTP1ResponseDecoder`, which read the heads.
///
/// Body bytes come out as slices of the bytes read, never copied; chunk extensions are
/// dropped (Portico frames bodies again).
struct HTTP1BodyReader {
    enum Framing: Equatable {
        case length(Int)
        case chunked
        /// Until the connection closes: the caller ends the body on EOF.
        case untilClose
    }

    /// What the next call found.
    enum Step {
        case body(ByteBuffer)
        /// The body is complete; any trailers come with it (chunked bodies only).
        case end(HTTPHeaders?)
        /// More bytes are needed; what is left in the input must be kept for the next read.
        case needMore
    }

    private enum State {
        case remaining(Int)
        case chunkSize
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private var state: State
    private var lineEnds = HTTP1LineEnds()
    private let maxTrailerBytes: Int

    /// `maxTrailerBytes` bounds a chunked body's trailer section (431 for a request).
    init(_ framing: Framing, maxTrailerBytes: Int) {
        switch framing {
        case .length(let length): self.state = .remaining(length)
        case .chunked: self.state = .chunkSize
        case .untilClose: self.state = .untilClose
        }
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// A body delimited by the connection's close: the caller ends it on EOF.
    var endsWithConnection: Bool {
        if case .untilClose = self.state { return true }
        return false
    }

    mutating func next(_ input: inout ByteBuffer) throws -> Step {
        while true {
            switch self.state {
            case .remaining(let remaining):
                guard remaining > 0 else { return .end(nil) }
                guard let slice = Self.take(&input, upTo: remaining) else { return .needMore }
                self.state = .remaining(remaining - slice.readableBytes)
                return .body(slice)
            case .untilClose:
                guard let slice = Self.take(&input, upTo: input.readableBytes) else { return .needMore }
                return .body(slice)
            case .chunkSize:
                let line = try input.withUnsafeReadableBytes { try HTTP1ChunkSizeLine.parse($0.bindMemory(to: UInt8.self)) }
                guard let (size, length) = line else { return .needMore }
                input.moveReaderIndex(forwardBy: length)
                self.state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard let slice = Self.take(&input, upTo: remaining) else { return .needMore }
                let left = remaining - slice.readableBytes
                self.state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                return .body(slice)
            case .chunkDataEnd:
                guard input.readableBytes >= 2 else {
                    if input.readableBytes == 1, input.getInteger(at: input.readerIndex, as: UInt8.self) != HTTP1Syntax.cr {
                        throw HTTP1ParseError.malformed("chunk data longer than its size")
                    }
                    return .needMore
                }
                guard input.readInteger(as: UInt16.self) == HTTP1Syntax.crlf else {
                    throw HTTP1ParseError.malformed("chunk data longer than its size")
                }
                self.state = .chunkSize
            case .trailers:
                guard let trailers = try self.readTrailers(&input) else { return .needMore }
                self.state = .remaining(0)
                return .end(trailers.isEmpty ? nil : trailers)
            }
        }
    }

    /// Up to `count` bytes as a slice, nil when there are none.
    private static func take(_ input: inout ByteBuffer, upTo count: Int) -> ByteBuffer? {
        let available = min(count, input.readableBytes)
        guard available > 0 else { return nil }
        return input.readSlice(length: available)
    }

    /// The trailer section after the last chunk (empty when there are no trailers), or nil
    /// while it has not come whole.
    private mutating func readTrailers(_ input: inout ByteBuffer) throws -> HTTPHeaders? {
        let maxBytes = self.maxTrailerBytes
        let found = try input.withUnsafeReadableBytes { raw -> (Int, HTTPHeaders)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let end = try self.lineEnds.blockEnd(in: bytes) else { return nil }
            guard end <= maxBytes else { throw HTTP1ParseError.trailersTooLarge }
            guard end > 2 else { return (end, HTTPHeaders()) }
            var fields: [(String, String)] = []
            var unrelated = HTTP1RecentFields()
            _ = try HTTP1FieldLines.read(UnsafeBufferPointer(rebasing: bytes[0..<end]), from: 0, into: &fields, recent: &unrelated) { _, _ in }
            return (end, HTTPHeaders(fields))
        }
        guard let (length, trailers) = found else {
            if input.readableBytes > maxBytes { throw HTTP1ParseError.trailersTooLarge }
            return nil
        }
        input.moveReaderIndex(forwardBy: length)
        return trailers
    }
}
