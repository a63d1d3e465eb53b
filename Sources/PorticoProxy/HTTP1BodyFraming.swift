internal import NIOCore
internal import NIOHTTP1

/// How an HTTP/1 message's body crosses the wire after its head: as it comes (delimited by
/// `Content-Length`, or by the connection's close), or in chunks. Decided when the head is
/// written, with the head's transport headers made to agree (RFC 9112 section 6).
///
/// The rules are NIO's encoders' (`HTTPRequestEncoder`, `HTTPResponseEncoder`), which Portico
/// used before it wrote heads itself (`HTTP1HeadBytes`), so nothing on the wire changed:
/// - a message that has no body loses both headers;
/// - one with `Content-Length` keeps it and loses `Transfer-Encoding`;
/// - an HTTP/1.1 message expected to carry a body of unknown length is chunked;
/// - a request that seldom has one (`GET`, `DELETE`, ...) is chunked only if it says so.
enum HTTP1BodyFraming {
    /// Whether a message carries a body, as its method or status says.
    enum Body {
        /// Never: a response to HEAD or CONNECT, a 1xx, 204 or 304; a TRACE request.
        case none
        /// Expected: POST, PUT and PATCH requests, and other responses.
        case expected
        /// Possible but rare: requests of other methods.
        case unlikely

        static func ofRequest(_ method: HTTPMethod) -> Body {
            switch method {
            case .TRACE: .none
            case .POST, .PUT, .PATCH: .expected
            default: .unlikely
            }
        }
    }

    /// A head's framing fields: what `frame` decides on. The encoders are handed them by
    /// `HeaderRewriter`, whose scan of the head sees them anyway, so that `frame` need not look
    /// for them again (up to three scans of the header list a proxied request: 46,559 → 45,532
    /// instructions, `bench/callgrind.sh`); anything else is looked at (`init(of:)`).
    struct KnownFields: Equatable {
        /// A `Content-Length` field is present.
        var contentLength: Bool
        /// A `Transfer-Encoding` field is present.
        var transferEncoding: Bool
        /// The first `Transfer-Encoding` value is `chunked`.
        var chunked: Bool

        /// After `HeaderRewriter`, `Transfer-Encoding` is either absent or one
        /// `transfer-encoding: chunked` field.
        init(contentLength: Bool, chunked: Bool) {
            self.contentLength = contentLength
            self.transferEncoding = chunked
            self.chunked = chunked
        }

        /// Looked up in `headers`: two scans.
        init(of headers: HTTPHeaders) {
            self.contentLength = headers.contains(name: "content-length")
            let transferEncoding = headers.first(name: "transfer-encoding")
            self.transferEncoding = transferEncoding != nil
            self.chunked = transferEncoding == "chunked"
        }
    }

    /// Makes `headers` say how the body is framed, and returns whether it is chunked. A field
    /// is removed only when it is known to be there: a removal costs three times a scan (it
    /// takes the list for writing), and an upstream response has usually lost
    /// `Transfer-Encoding` already, with the other hop-by-hop headers.
    static func frame(_ headers: inout HTTPHeaders, body: Body, version: HTTPVersion, known: KnownFields? = nil) -> Bool {
        let fields = known ?? KnownFields(of: headers)
        let chunksAllowed = version.major == 1 && version.minor >= 1
        switch body {
        case .none:
            if fields.contentLength { headers.remove(name: "content-length") }
            if fields.transferEncoding { headers.remove(name: "transfer-encoding") }
            return false
        case .expected:
            if fields.contentLength {
                if fields.transferEncoding { headers.remove(name: "transfer-encoding") }
                return false
            }
            guard chunksAllowed else { return false }
            if fields.transferEncoding {
                headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            } else {
                headers.add(contentsOf: Self.chunkedField)
            }
            return true
        case .unlikely:
            if fields.contentLength {
                if fields.transferEncoding { headers.remove(name: "transfer-encoding") }
                return false
            }
            return chunksAllowed && fields.chunked
        }
    }

    /// Appended as a list: `HTTPHeaders.add(name:value:)` checks the name for non-ASCII bytes.
    private static let chunkedField: HTTPHeaders = ["transfer-encoding": "chunked"]

    /// Writes a body part: as it is, or as one chunk (size line, bytes, line end). An empty
    /// part is never a chunk, since an empty chunk ends the body; it is still written so that
    /// its promise completes in order.
    static func write(_ part: IOData, chunked: Bool, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let count = part.readableBytes
        guard chunked, count > 0 else {
            context.write(NIOAny(part), promise: promise)
            return
        }
        var sizeLine = context.channel.allocator.buffer(capacity: 18)
        Self.writeHexadecimal(count, to: &sizeLine)
        sizeLine.writeStaticString("\r\n")
        context.write(NIOAny(IOData.byteBuffer(sizeLine)), promise: nil)
        context.write(NIOAny(part), promise: nil)
        // Writes fail in order: if either write above fails, so does this one, with the promise.
        context.write(NIOAny(IOData.byteBuffer(Self.lineEnd)), promise: promise)
    }

    /// Writes the end of a body: the last chunk (with any trailers) when chunked; otherwise
    /// nothing, or an empty write when a promise must complete in order.
    static func writeEnd(
        trailers: HTTPHeaders?,
        chunked: Bool,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>?
    ) {
        if chunked {
            let bytes =
                if let trailers {
                    HTTP1HeadBytes.lastChunk(trailers: trailers, allocator: context.channel.allocator)
                } else {
                    Self.lastChunk
                }
            context.write(NIOAny(IOData.byteBuffer(bytes)), promise: promise)
        } else if let promise {
            context.write(NIOAny(IOData.byteBuffer(ByteBuffer())), promise: promise)
        }
    }

    private static let lineEnd = ByteBuffer(staticString: "\r\n")
    private static let lastChunk = ByteBuffer(staticString: "0\r\n\r\n")

    private static func writeHexadecimal(_ value: Int, to buffer: inout ByteBuffer) {
        let digits: StaticString = "0123456789abcdef"
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if shift < 0 { shift = 0 }
        digits.withUTF8Buffer { digits in
            while shift >= 0 {
                buffer.writeInteger(digits[(value >> shift) & 0xf])
                shift -= 4
            }
        }
    }
}
