#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds where a block of CRLF-ended lines ends (a request head, a trailer section: the first
/// empty line), a few bytes at a time as they arrive, and refuses a bare LF on the way.
///
/// RFC 9112 lets a recipient take a bare LF as a line end; llhttp, which Portico used before,
/// refuses it, as do Envoy and HAProxy by default, and so does this: a proxy that splits lines
/// where its upstream does not is a smuggling vector.
struct HTTP1LineEnds {
    /// Where the line being searched starts: after a partial block, the search resumes there.
    private(set) var lineStart = 0

    /// Continues the search in `bytes` (the same block, grown since the last call) and returns
    /// the offset just past the empty line that ends the block, or nil while it has not come.
    mutating func blockEnd(in bytes: UnsafeBufferPointer<UInt8>) throws(HTTP1ParseError) -> Int? {
        var index = self.lineStart
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        while index < count {
            // libc's `memchr` compares 16 or 32 bytes a step; a byte loop cost about 700
            // instructions a head.
            guard let found = memchr(base + index, Int32(HTTP1Syntax.lf), count - index) else { return nil }
            index = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            guard index > 0, bytes[index - 1] == HTTP1Syntax.cr else { throw .malformed("line ended by LF without CR") }
            if index - 1 == self.lineStart {
                self.lineStart = 0
                return index + 1
            }
            index += 1
            self.lineStart = index
        }
        return nil
    }
}
