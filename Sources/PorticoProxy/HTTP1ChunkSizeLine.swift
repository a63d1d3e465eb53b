/// The line that opens each chunk of a chunked body (RFC 9112 section 7.1): the size in
/// hexadecimal, optional extensions after `;` (ignored, as every proxy does, and not passed
/// on: Portico re-frames bodies), CRLF.
enum HTTP1ChunkSizeLine {
    /// Longest line read: a size with room for extensions. nginx and HAProxy bound it too; a
    /// client that sends more is refused rather than buffered.
    static let maxBytes = 4096
    /// Sizes up to 15 hexadecimal digits (leading zeros aside) fit in `Int`.
    private static let maxSignificantDigits = 15

    /// Reads the line at the start of `bytes`: the chunk size and the bytes the line took, or
    /// nil while its LF has not come.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTP1ParseError) -> (size: Int, lineLength: Int)? {
        var index = 0
        var size = 0
        var significant = 0
        let count = bytes.count
        while index < count, let digit = HTTP1Syntax.hexValue(bytes[index]) {
            if size > 0 || digit > 0 { significant += 1 }
            guard significant <= Self.maxSignificantDigits else { throw .malformed("chunk size too large") }
            size = size << 4 | digit
            index += 1
        }
        guard index < count else { return try Self.needMore(count) }
        guard index > 0 else { throw .malformed("chunk size is not hexadecimal") }
        // Whitespace is allowed only before an extension (BWS in RFC 9112's grammar).
        var extensionStart = index
        while extensionStart < count, HTTP1Syntax.isWhitespace(bytes[extensionStart]) { extensionStart += 1 }
        guard extensionStart < count else { return try Self.needMore(count) }
        if bytes[extensionStart] == UInt8(ascii: ";") {
            index = extensionStart + 1
            while index < count, HTTP1Syntax.isFieldValue(bytes[index]) { index += 1 }
            guard index < count else { return try Self.needMore(count) }
        }
        guard bytes[index] == HTTP1Syntax.cr else { throw .malformed("invalid chunk size line") }
        guard index + 1 < count else { return try Self.needMore(count) }
        guard bytes[index + 1] == HTTP1Syntax.lf else { throw .malformed("chunk size line without LF") }
        return (size, index + 2)
    }

    private static func needMore(_ count: Int) throws(HTTP1ParseError) -> (size: Int, lineLength: Int)? {
        guard count < Self.maxBytes else { throw .malformed("chunk size line too long") }
        return nil
    }
}
