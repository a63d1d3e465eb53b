internal import NIOHTTP1

/// Reads a complete HTTP/1 response head from an upstream (status line, header section, blank
/// line) and works out how its body is delimited (RFC 9112 section 6.3). Pure: bytes in, head
/// or error out.
///
/// Upstreams are trusted more than clients, but a proxy that frames a response differently
/// from its upstream desynchronizes the connection it pools, so the framing rules are
/// llhttp's: `Content-Length` all digits and sent once, never with `Transfer-Encoding`; a
/// transfer coding other than exactly `chunked` is refused too (Portico frames the body again
/// and could not carry another coding on). Any error closes the upstream connection; the
/// client gets 502.
enum HTTP1ResponseHeadParser {
    /// What the header section says about the body.
    enum DeclaredFraming: Equatable {
        case length(Int)
        case chunked
        /// Neither header: the body, if the response has one, runs to the connection's close.
        case undeclared
    }

    struct Parsed {
        var head: HTTPResponseHead
        var declared: DeclaredFraming
    }

    /// Parses the head in `bytes`, which ends with its blank line (see `HTTP1LineEnds`),
    /// reusing the strings of `recent` (the connection's previous head) where bytes repeat, and
    /// leaving this head's there for the next.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        recent: inout HTTP1RecentFields
    ) throws(HTTP1ParseError) -> Parsed {
        // "HTTP/1.1 200" at least, then the reason phrase after a space (servers that send
        // none sometimes leave out the space too).
        guard bytes.count >= 14,
            bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
            bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"), bytes[5] == UInt8(ascii: "1"),
            bytes[6] == UInt8(ascii: "."), bytes[7] &- UInt8(ascii: "0") < 10, bytes[8] == HTTP1Syntax.space
        else { throw .malformed("status line: not HTTP/1.x") }
        let version: HTTPVersion = bytes[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
        var code = 0
        for index in 9..<12 {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw .malformed("status line: status code is not three digits") }
            code = code * 10 + Int(digit)
        }
        guard code >= 100 else { throw .malformed("status line: status code under 100") }
        var index = 12
        var reasonStart = index
        if bytes[index] == HTTP1Syntax.space {
            index += 1
            reasonStart = index
            while index < bytes.count, HTTP1Syntax.isFieldValue(bytes[index]) { index += 1 }
        }
        guard index + 1 < bytes.count, bytes[index] == HTTP1Syntax.cr, bytes[index + 1] == HTTP1Syntax.lf else {
            throw .malformed("status line: control byte or no CRLF")
        }
        // A status NIO knows carries its own reason phrase and drops the one given, so the
        // phrase is made into a string only for the others.
        var status = HTTPResponseStatus(statusCode: code)
        if case .custom = status {
            let reason = String(decoding: UnsafeBufferPointer(rebasing: bytes[reasonStart..<index]), as: UTF8.self)
            status = HTTPResponseStatus(statusCode: code, reasonPhrase: reason)
        }

        var framing = HTTP1FramingFields()
        var headers: [(String, String)] = []
        headers.reserveCapacity(12)
        _ = try HTTP1FieldLines.read(bytes, from: index + 2, into: &headers, recent: &recent) { (name, value) throws(HTTP1ParseError) in
            _ = try framing.inspect(name: name, value: value)
        }
        try framing.validate()
        let declared: DeclaredFraming
        if framing.chunked {
            declared = .chunked
        } else if let length = framing.contentLength {
            declared = .length(length)
        } else {
            declared = .undeclared
        }
        return Parsed(head: HTTPResponseHead(version: version, status: status, headers: HTTPHeaders(headers)), declared: declared)
    }

    /// How the body of a response with `status` to a `method` request is delimited, or nil when
    /// it has none whatever its headers say: a response to HEAD, a 1xx, 204 or 304.
    static func bodyFraming(status: HTTPResponseStatus, method: HTTPMethod, declared: DeclaredFraming) -> HTTP1BodyReader.Framing? {
        let code = status.code
        if method == .HEAD || code < 200 || code == 204 || code == 304 { return nil }
        switch declared {
        case .length(let length): return length > 0 ? .length(length) : nil
        case .chunked: return .chunked
        case .undeclared: return .untilClose
        }
    }
}
