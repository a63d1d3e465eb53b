internal import NIOHTTP1

/// Reads a complete HTTP/1 request head (request line, header section, blank line) and decides
/// how its body is framed (RFC 9112 sections 3, 6 and 7), refusing what a proxy must not pass
/// on. Pure: bytes in, head or error out.
///
/// The framing rules are those that keep a proxy and its upstream from reading one request
/// differently (request smuggling), each as strict as llhttp, nginx or Envoy is:
/// - `Transfer-Encoding` and `Content-Length` together, or `Transfer-Encoding` in HTTP/1.0:
///   400 (llhttp; RFC 9112 section 6.1 lets a server refuse both);
/// - `Transfer-Encoding` other than exactly `chunked`: 501 (nginx, Envoy): Portico re-frames
///   bodies and cannot carry other codings;
/// - `Content-Length` that is not all digits, or sent twice: 400 (llhttp, nginx);
/// - HTTP/1.1 without `Host`, or two `Host` fields: 400 (RFC 9112 section 3.2; nginx, Envoy).
enum HTTP1RequestHeadParser {
    /// How the body after a head is delimited.
    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    struct Parsed {
        var head: HTTPRequestHead
        var framing: BodyFraming
        /// An upgrade request (as `HeaderRewriter.upgradeProtocol` defines one): after it the
        /// connection carries no further HTTP/1 request; it either switches protocols or closes.
        var switchesProtocols: Bool
        /// The client asked for the connection to close after this request (`Connection:
        /// close`, or HTTP/1.0 without `keep-alive`), so nothing after it is read, as llhttp
        /// and nginx do: the connection closes once the response is out.
        var closesAfter: Bool
    }

    /// Parses the head in `bytes`, which ends with its blank line (see `HTTP1LineEnds`),
    /// reusing the strings of `recent` (the connection's previous head) where bytes repeat, and
    /// leaving this head's there for the next.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        recent: inout HTTP1RecentFields
    ) throws(HTTP1ParseError) -> Parsed {
        let count = bytes.count
        var index = 0
        while index < count, HTTP1Syntax.isToken(bytes[index]) { index += 1 }
        guard index > 0, index < count, bytes[index] == HTTP1Syntax.space else {
            throw .malformed("request line: method is not a token")
        }
        let method = Self.method(UnsafeBufferPointer(rebasing: bytes[0..<index]))
        index += 1
        let targetStart = index
        while index < count, HTTP1Syntax.isTarget(bytes[index]) { index += 1 }
        guard index > targetStart, index < count, bytes[index] == HTTP1Syntax.space,
            Self.isTargetForm(UnsafeBufferPointer(rebasing: bytes[targetStart..<index]), method: method)
        else {
            throw .malformed("request line: invalid request target")
        }
        let uri = recent.target(UnsafeBufferPointer(rebasing: bytes[targetStart..<index]))
        index += 1
        let version = try Self.version(bytes, at: index)
        index += 10

        var fields = Rules()
        var headers: [(String, String)] = []
        headers.reserveCapacity(12)
        _ = try HTTP1FieldLines.read(bytes, from: index, into: &headers, recent: &recent) { (name, value) throws(HTTP1ParseError) in
            try fields.inspect(name: name, value: value)
        }
        let framing = try fields.framing(version: version)
        let switchesProtocols = method == .GET && version == .http1_1 && fields.upgrade && fields.connectionUpgrade
        return Parsed(
            head: HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(headers)),
            framing: framing,
            switchesProtocols: switchesProtocols,
            closesAfter: version == .http1_1 ? fields.connectionClose : !fields.connectionKeepAlive
        )
    }

    /// Whether `target` has one of the four forms of RFC 9112 section 3.2: a path (origin-form),
    /// `scheme://authority` and an optional path (absolute-form), `host:port` for CONNECT
    /// (authority-form), or `*` (asterisk-form). Its bytes are already known to be visible ASCII.
    private static func isTargetForm(_ target: UnsafeBufferPointer<UInt8>, method: HTTPMethod) -> Bool {
        guard let first = target.first else { return false }
        if first == UInt8(ascii: "/") { return true }
        if target.count == 1 { return first == UInt8(ascii: "*") }
        if method == .CONNECT { return Self.isAuthority(target) && target.contains(HTTP1Syntax.colon) }
        var index = 0
        while index < target.count, Self.isSchemeByte(target[index], first: index == 0) { index += 1 }
        guard index > 0, index + 3 < target.count, target[index] == HTTP1Syntax.colon,
            target[index + 1] == UInt8(ascii: "/"), target[index + 2] == UInt8(ascii: "/")
        else { return false }
        let authorityStart = index + 3
        var authorityEnd = authorityStart
        // `RequestTarget` ends the authority where this does, so both read the same host.
        while authorityEnd < target.count, target[authorityEnd] != UInt8(ascii: "/"), target[authorityEnd] != UInt8(ascii: "?") {
            authorityEnd += 1
        }
        return authorityEnd > authorityStart && Self.isAuthority(UnsafeBufferPointer(rebasing: target[authorityStart..<authorityEnd]))
    }

    private static func isSchemeByte(_ byte: UInt8, first: Bool) -> Bool {
        let letter = (byte | 0x20) &- UInt8(ascii: "a") < 26
        if first { return letter }
        return letter || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }

    /// RFC 3986 authority bytes: unreserved, sub-delims, `%`, `:`, `@`, `[` and `]`.
    private static func isAuthority(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"), UInt8(ascii: ":"), UInt8(ascii: "@"),
                UInt8(ascii: "["), UInt8(ascii: "]"):
                continue
            default:
                return false
            }
        }
        return !bytes.isEmpty
    }

    /// `HTTP/1.0` or `HTTP/1.1` and CRLF at `index`; a later 1.x is read as 1.1 (RFC 9110
    /// section 2.5). Another major version is answered 505, anything else 400.
    private static func version(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) throws(HTTP1ParseError) -> HTTPVersion {
        guard index + 10 <= bytes.count,
            bytes[index] == UInt8(ascii: "H"), bytes[index + 1] == UInt8(ascii: "T"),
            bytes[index + 2] == UInt8(ascii: "T"), bytes[index + 3] == UInt8(ascii: "P"),
            bytes[index + 4] == UInt8(ascii: "/"), bytes[index + 6] == UInt8(ascii: "."),
            bytes[index + 8] == HTTP1Syntax.cr, bytes[index + 9] == HTTP1Syntax.lf
        else { throw .malformed("request line: invalid HTTP version") }
        let major = bytes[index + 5] &- UInt8(ascii: "0")
        let minor = bytes[index + 7] &- UInt8(ascii: "0")
        guard major < 10, minor < 10 else { throw .malformed("request line: invalid HTTP version") }
        guard major == 1 else {
            throw HTTP1ParseError(status: .httpVersionNotSupported, reason: "HTTP/\(major).\(minor) over HTTP/1 framing")
        }
        return minor == 0 ? .http1_0 : .http1_1
    }

    /// The method: the common ones without making a string; methods are case-sensitive, so
    /// `get` is an extension method of its own, passed on as it is.
    private static func method(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPMethod {
        switch bytes.count {
        case 3:
            if Self.spells(bytes, "GET") { return .GET }
            if Self.spells(bytes, "PUT") { return .PUT }
        case 4:
            if Self.spells(bytes, "POST") { return .POST }
            if Self.spells(bytes, "HEAD") { return .HEAD }
        case 6:
            if Self.spells(bytes, "DELETE") { return .DELETE }
        case 5:
            if Self.spells(bytes, "PATCH") { return .PATCH }
        case 7:
            if Self.spells(bytes, "OPTIONS") { return .OPTIONS }
        default:
            break
        }
        return HTTPMethod(rawValue: String(decoding: bytes, as: UTF8.self))
    }

    @inline(__always)
    private static func spells(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        let expected = word.utf8Start
        for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
        return true
    }

    /// What the header section says about framing, the host and an upgrade, gathered field
    /// by field as the section is read.
    private struct Rules {
        var hostCount = 0
        var framing = HTTP1FramingFields()
        var upgrade = false
        var connectionUpgrade = false
        var connectionClose = false
        var connectionKeepAlive = false

        mutating func inspect(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) throws(HTTP1ParseError) {
            if try self.framing.inspect(name: name, value: value) { return }
            switch name.count {
            case 4:
                if HeaderName.equals(name, "host") {
                    self.hostCount += 1
                    if self.hostCount > 1 { throw .malformed("Host sent twice") }
                }
            case 7:
                if HeaderName.equals(name, "upgrade") { self.upgrade = !value.isEmpty }
            case 10:
                if HeaderName.equals(name, "connection") { self.inspectConnection(value) }
            default:
                break
            }
        }

        func framing(version: HTTPVersion) throws(HTTP1ParseError) -> BodyFraming {
            if version == .http1_1, self.hostCount == 0 { throw .malformed("HTTP/1.1 request without Host") }
            if self.framing.chunked {
                guard version == .http1_1 else { throw .malformed("Transfer-Encoding in an HTTP/1.0 request") }
                try self.framing.validate()
                return .chunked
            }
            if let length = self.framing.contentLength, length > 0 { return .length(length) }
            return .none
        }

        /// The `Connection` options that matter to reading: `upgrade`, `close`, `keep-alive`
        /// (tokens of a comma-separated list, in any case, spaces around them dropped).
        private mutating func inspectConnection(_ value: UnsafeBufferPointer<UInt8>) {
            HTTP1Syntax.forEachListItem(in: value) { option in
                switch option.count {
                case 5: if HeaderName.equals(option, "close") { self.connectionClose = true }
                case 7: if HeaderName.equals(option, "upgrade") { self.connectionUpgrade = true }
                case 10: if HeaderName.equals(option, "keep-alive") { self.connectionKeepAlive = true }
                default: break
                }
            }
        }
    }
}
