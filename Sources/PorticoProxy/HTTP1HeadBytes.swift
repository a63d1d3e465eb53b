internal import NIOCore
internal import NIOHTTP1

/// The wire form of an HTTP/1 request or response head, written into one buffer in one pass:
/// start line, headers, blank line.
///
/// NIO's encoders write a head piece by piece (`writeString`, then `writeStaticString(": ")`,
/// and so on), and each piece goes through ByteBuffer's generic, capacity-checked copy. Under
/// callgrind that was about 10,000 instructions per proxied request (about 800 per header) out
/// of 105,000. Here every string is copied with one `memcpy` of its contiguous UTF-8 into a
/// buffer allocated once, at the size the connection's heads have needed so far
/// (`HeadSizeHint`): summing each head's size first cost another pass over its headers, about
/// 1,200 instructions a head. A head that does not fit is written again into a buffer of its
/// exact size, which the hint then keeps.
///
/// Nothing is validated: heads come from `HTTP1RequestDecoder`, llhttp or `HTTP2StreamFront`
/// (which reject CR, LF and NUL in names and values) or from Portico itself, as with NIO's encoders configured without
/// header validation.
enum HTTP1HeadBytes {
    /// The buffer size to try first for a connection's next head: the largest head it has
    /// written so far that did not fit the size before, or 512 bytes.
    struct HeadSizeHint {
        fileprivate var bytes = 512
    }

    static func request(_ head: HTTPRequestHead, allocator: ByteBufferAllocator, hint: inout HeadSizeHint) -> ByteBuffer {
        let method = head.method.rawValue
        return Self.buffer(hint: &hint, allocator: allocator) {
            method.utf8.count + 1 + head.uri.utf8.count + 1 + Self.byteCount(of: head.version) + 2
                + Self.byteCount(of: head.headers)
        } write: { writer in
            writer.append(method)
            writer.append(UInt8(ascii: " "))
            writer.append(head.uri)
            writer.append(UInt8(ascii: " "))
            writer.append(head.version)
            writer.appendLineEnd()
            writer.append(head.headers)
        }
    }

    static func response(_ head: HTTPResponseHead, allocator: ByteBufferAllocator, hint: inout HeadSizeHint) -> ByteBuffer {
        let code = Int(head.status.code)
        let reason = head.status.reasonPhrase
        return Self.buffer(hint: &hint, allocator: allocator) {
            Self.byteCount(of: head.version) + 1 + Self.digitCount(code) + 1 + reason.utf8.count + 2
                + Self.byteCount(of: head.headers)
        } write: { writer in
            writer.append(head.version)
            writer.append(UInt8(ascii: " "))
            writer.append(decimal: code)
            writer.append(UInt8(ascii: " "))
            writer.append(reason)
            writer.appendLineEnd()
            writer.append(head.headers)
        }
    }

    /// A chunked body's last chunk and its trailers (RFC 9112 section 7.1.2).
    static func lastChunk(trailers: HTTPHeaders, allocator: ByteBufferAllocator) -> ByteBuffer {
        Self.buffer(size: 3 + Self.byteCount(of: trailers), allocator: allocator) { writer in
            writer.append(UInt8(ascii: "0"))
            writer.appendLineEnd()
            writer.append(trailers)
        }
    }

    /// A buffer allocated at `size` and filled by `write`, in one pass over its memory.
    @inline(__always)
    private static func buffer(size: Int, allocator: ByteBufferAllocator, _ write: (inout Writer) -> Void) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { bytes in
            var writer = Writer(bytes)
            write(&writer)
            return writer.offset
        }
        return buffer
    }

    /// A buffer filled by `write`: first at the hinted size; when that is too small, at the
    /// exact `size()`, which becomes the hint.
    @inline(__always)
    private static func buffer(
        hint: inout HeadSizeHint,
        allocator: ByteBufferAllocator,
        size: () -> Int,
        write: (inout Writer) -> Void
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: hint.bytes)
        // Zero bytes written stands for "did not fit": a head is never empty.
        let fitted = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: hint.bytes) { bytes in
            var writer = Writer(bytes)
            write(&writer)
            return writer.overflowed ? 0 : writer.offset
        }
        if fitted > 0 { return buffer }
        let exact = size()
        hint.bytes = max(hint.bytes, exact)
        return Self.buffer(size: exact, allocator: allocator, write)
    }

    /// The header lines and the blank line that ends them.
    private static func byteCount(of headers: HTTPHeaders) -> Int {
        var size = 2
        for header in headers {
            size += header.name.utf8.count + 2 + header.value.utf8.count + 2
        }
        return size
    }

    /// `HTTP/` and the version's numbers.
    private static func byteCount(of version: HTTPVersion) -> Int {
        5 + Self.digitCount(version.major) + 1 + Self.digitCount(version.minor)
    }

    private static func digitCount(_ value: Int) -> Int {
        var count = 1
        var rest = value.magnitude / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return value < 0 ? count + 1 : count
    }

    /// Appends into a buffer. It never writes past the end: a piece that does not fit is cut
    /// short and `overflowed` says so (with an exact size, summed from the same values, that
    /// cannot happen).
    private struct Writer {
        let bytes: UnsafeMutableRawBufferPointer
        private(set) var offset = 0
        private(set) var overflowed = false

        init(_ bytes: UnsafeMutableRawBufferPointer) {
            self.bytes = bytes
        }

        @inline(__always)
        mutating func append(_ byte: UInt8) {
            guard self.offset < self.bytes.count else {
                self.overflowed = true
                return
            }
            self.bytes[self.offset] = byte
            self.offset += 1
        }

        @inline(__always)
        mutating func appendLineEnd() {
            self.append(UInt8(ascii: "\r"))
            self.append(UInt8(ascii: "\n"))
        }

        @inline(__always)
        mutating func append(_ string: String) {
            let copied: Void? = string.utf8.withContiguousStorageIfAvailable { source in
                self.append(UnsafeRawBufferPointer(source))
            }
            if copied == nil {
                for byte in string.utf8 { self.append(byte) }
            }
        }

        @inline(__always)
        mutating func append(_ source: UnsafeRawBufferPointer) {
            let count = min(source.count, self.bytes.count - self.offset)
            if count < source.count { self.overflowed = true }
            guard count > 0, let target = self.bytes.baseAddress, let source = source.baseAddress else { return }
            (target + self.offset).copyMemory(from: source, byteCount: count)
            self.offset += count
        }

        mutating func append(decimal value: Int) {
            if value < 0 { self.append(UInt8(ascii: "-")) }
            var divisor = 1
            while value.magnitude / UInt(divisor) >= 10 { divisor *= 10 }
            var rest = value.magnitude
            while divisor > 0 {
                self.append(UInt8(ascii: "0") + UInt8(rest / UInt(divisor)))
                rest %= UInt(divisor)
                divisor /= 10
            }
        }

        mutating func append(_ version: HTTPVersion) {
            self.append(UInt8(ascii: "H"))
            self.append(UInt8(ascii: "T"))
            self.append(UInt8(ascii: "T"))
            self.append(UInt8(ascii: "P"))
            self.append(UInt8(ascii: "/"))
            self.append(decimal: version.major)
            self.append(UInt8(ascii: "."))
            self.append(decimal: version.minor)
        }

        mutating func append(_ headers: HTTPHeaders) {
            for header in headers {
                self.append(header.name)
                self.append(UInt8(ascii: ":"))
                self.append(UInt8(ascii: " "))
                self.append(header.value)
                self.appendLineEnd()
            }
            self.appendLineEnd()
        }
    }
}
