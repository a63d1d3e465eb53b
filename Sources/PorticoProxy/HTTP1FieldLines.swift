/// Field lines (RFC 9112 section 5): a request's header section after its request line, or
/// the trailer section of a chunked body, read from bytes whose every line is known to end
/// with CRLF (see `HTTP1LineEnds`).
///
/// A field line is a token, a colon with no space before it, the value with the spaces and
/// tabs around it dropped. A line that starts with a space or a tab (obsolete line folding),
/// a name with a byte outside the token set, a value with a control byte: all are refused,
/// since a proxy that reads such a line one way and an upstream that reads it another is how
/// requests are smuggled.
enum HTTP1FieldLines {
    /// Reads the field lines from `start` up to and including the empty line that ends them,
    /// hands each to `inspect` (name and value bytes, value trimmed) before it is kept as
    /// strings (those of `recent` where the bytes repeat), and returns the offset just past
    /// the empty line.
    @inline(__always)
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>,
        from start: Int,
        into fields: inout [(String, String)],
        recent: inout HTTP1RecentFields,
        inspect: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws(HTTP1ParseError) -> Void
    ) throws(HTTP1ParseError) -> Int {
        var index = start
        let count = bytes.count
        while true {
            guard index + 1 < count else { throw .malformed("field section without its end") }
            if bytes[index] == HTTP1Syntax.cr {
                guard bytes[index + 1] == HTTP1Syntax.lf else { throw .malformed("CR without LF in a field section") }
                recent.headEnded(fieldCount: fields.count)
                return index + 2
            }
            let nameStart = index
            while index < count, HTTP1Syntax.isToken(bytes[index]) { index += 1 }
            guard index > nameStart, index < count, bytes[index] == HTTP1Syntax.colon else {
                if index == nameStart, HTTP1Syntax.isWhitespace(bytes[index]) {
                    throw .malformed("folded field line (obsolete line folding)")
                }
                throw .malformed("field name with a byte outside the token set")
            }
            let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<index])
            index += 1
            while index < count, HTTP1Syntax.isWhitespace(bytes[index]) { index += 1 }
            let valueStart = index
            index = HTTP1Syntax.fieldValueWordsEnd(in: bytes, from: index)
            while index < count, HTTP1Syntax.isFieldValue(bytes[index]) { index += 1 }
            guard index + 1 < count, bytes[index] == HTTP1Syntax.cr, bytes[index + 1] == HTTP1Syntax.lf else {
                throw .malformed("control byte in the value of \(String(decoding: name, as: UTF8.self))")
            }
            var valueEnd = index
            while valueEnd > valueStart, HTTP1Syntax.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
            let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            try inspect(name, value)
            fields.append(recent.field(fields.count, name: name, value: value))
            index += 2
        }
    }
}
