/// The byte classes of HTTP/1 syntax (RFC 9110 section 5.6, RFC 9112), as bit sets: a class
/// test is a shift and a mask, with no branch per character range.
enum HTTP1Syntax {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    /// CR LF as a big-endian `UInt16`, as `ByteBuffer.readInteger` reads two bytes.
    static let crlf = UInt16(cr) << 8 | UInt16(lf)

    /// `tchar`: the characters of a method, a field name, a transfer coding.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        Self.isIn(byte, low: Self.tokenLow, high: Self.tokenHigh)
    }

    /// A byte of a field value: visible ASCII, space, tab, and `obs-text` (0x80 and up). Every
    /// other control byte, NUL, CR and LF among them, is refused: a value with one could split
    /// into two fields or two messages on the upstream side.
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == Self.tab
    }

    /// A byte of a request target: visible ASCII (a URI is ASCII, RFC 3986; llhttp, which
    /// Portico used before, refuses the rest too), no space, no control byte.
    /// The offset of the first byte from `start` on that may not be a field value byte,
    /// eight bytes at a time: a word is skipped when none of its bytes is below 0x20 or 0x7F
    /// (`isFieldValue` without the tab, which stops it like a control byte would). The exact
    /// test then runs byte by byte from the offset returned, so a word stopped early costs
    /// nothing but time. Values are most of a head's bytes, and a byte at a time they cost
    /// about five instructions each.
    @inline(__always)
    static func fieldValueWordsEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A byte below 0x20: subtracting 0x20 from it borrows into its high bit, which the
            // complement of a byte below 0x80 has set (bytes from 0x80 up are obs-text, allowed).
            let belowSpace = (word &- 0x20 &* ones) & ~word & highs
            // A DEL byte: zero after xor with 0x7F.
            let delete = word ^ (0x7F &* ones)
            let hasDelete = (delete &- ones) & ~delete & highs
            guard belowSpace | hasDelete == 0 else { break }
            index += 8
        }
        return index
    }

    @inline(__always)
    static func isTarget(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == Self.space || byte == Self.tab
    }

    /// Calls `body` with each item of a comma-separated list (RFC 9110 section 5.6.1), the
    /// spaces and tabs around it dropped; empty items are skipped.
    @inline(__always)
    static func forEachListItem(in value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        while start < value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var lower = start
            var upper = end
            while lower < upper, Self.isWhitespace(value[lower]) { lower += 1 }
            while upper > lower, Self.isWhitespace(value[upper - 1]) { upper -= 1 }
            if lower < upper { body(UnsafeBufferPointer(rebasing: value[lower..<upper])) }
            start = end + 1
        }
    }

    /// A `Content-Length` value: digits only (no sign, no list), at most 18 of them, so that
    /// it cannot overflow `Int`.
    static func contentLength(_ value: UnsafeBufferPointer<UInt8>) throws(HTTP1ParseError) -> Int {
        guard !value.isEmpty, value.count <= 18 else { throw .malformed("invalid Content-Length") }
        var length = 0
        for byte in value {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { throw .malformed("invalid Content-Length") }
            length = length * 10 + Int(digit)
        }
        return length
    }

    /// The value of an ASCII hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    @inline(__always)
    private static func isIn(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        if byte < 64 { return low & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return high & (1 << UInt64(byte - 64)) != 0 }
        return false
    }

    /// `tchar` as two bit sets (bytes 0-63, 64-127): the 15 symbols of RFC 9110's `tchar`, digits and letters.
    /// Literals, not computed: a computed static is a lazy global, and each test of a byte
    /// went through `swift_once` first (`HTTP1SyntaxTests` checks them against the RFC's list).
    static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE
}
