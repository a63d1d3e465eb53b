internal import NIOHPACK

/// The rules a client's HTTP/2 request header block and trailers must follow (RFC 9113 sections
/// 8.1, 8.2 and 8.3), checked on the bytes of each field.
///
/// swift-nio-http2 checks the same rules when its `headerBlockValidation` is on, but through
/// `Substring.UTF8View`, byte by byte with index checks, and on the response blocks Portico
/// sends as well: about 22,000 instructions of an HTTP/2 request, 9% of it (bench/README.md).
/// The edge turns NIO's check off and `HTTP2StreamFront` applies these instead, to what
/// clients send. What Portico sends needs no second look: `HTTP2ResponseFrames`
/// lowercases names and drops connection-specific fields, and the fields themselves come from
/// `HTTP1RequestDecoder` or llhttp (tokens for names; no CR, LF or NUL in values), from an HTTP/2 upstream whose own
/// NIO handler validates, or from Portico's fixed responses.
///
/// Extended CONNECT (RFC 8441) is not offered, so `:protocol` is refused like any unknown
/// pseudo-header.
enum HTTP2RequestBlockRules {
    /// A malformed block: the stream is reset with PROTOCOL_ERROR (RFC 9113 section 8.1.1).
    struct Violation: Error, Equatable, CustomStringConvertible {
        /// The offending field's name, or the missing pseudo-header.
        var field: String
        var reason: String

        var description: String { "\(self.field): \(self.reason)" }
    }

    /// The pseudo-headers a request may carry, as bits.
    private struct PseudoHeaders: OptionSet {
        var rawValue: UInt8

        static let method = PseudoHeaders(rawValue: 1 << 0)
        static let scheme = PseudoHeaders(rawValue: 1 << 1)
        static let authority = PseudoHeaders(rawValue: 1 << 2)
        static let path = PseudoHeaders(rawValue: 1 << 3)

        init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The pseudo-header a field name stands for; nil for one a request may not carry.
        init?(name: String) {
            switch name {
            case ":method": self = .method
            case ":scheme": self = .scheme
            case ":authority": self = .authority
            case ":path": self = .path
            default: return nil
            }
        }
    }

    /// A request header block that follows the rules, as the stream's front needs it to make
    /// an HTTP/1-style request head: the pseudo-header values and the regular fields in order.
    struct Request {
        var method = ""
        var authority: String?
        var path: String?
        /// The regular fields, in the block's order.
        var fields: [(String, String)] = []
        var hasHost = false
        var hasContentLength = false
        var isConnect: Bool { self.method == "CONNECT" }
    }

    /// Checks a request's header block; nil when it is well formed.
    static func checkRequest(_ block: HPACKHeaders) -> Violation? {
        if case .failure(let violation) = self.readRequest(block) { return violation }
        return nil
    }

    /// Checks a request's header block and, when it is well formed, returns what it says, read
    /// in the same pass over its fields.
    static func readRequest(_ block: HPACKHeaders) -> Result<Request, Violation> {
        var request = Request()
        request.fields.reserveCapacity(block.count)
        var seen = PseudoHeaders()
        var regularFieldsBegan = false
        for (name, value, _) in block {
            if name.utf8.first == UInt8(ascii: ":") {
                if regularFieldsBegan {
                    return .failure(Violation(field: name, reason: "pseudo-header after a regular field"))
                }
                guard let pseudo = PseudoHeaders(name: name) else {
                    return .failure(Violation(field: name, reason: "not a request pseudo-header"))
                }
                if seen.contains(pseudo) {
                    return .failure(Violation(field: name, reason: "repeated"))
                }
                seen.insert(pseudo)
                if let problem = self.checkPseudoValue(value) {
                    return .failure(Violation(field: name, reason: problem))
                }
                switch pseudo {
                case .method:
                    request.method = value
                case .path:
                    if value.utf8.isEmpty { return .failure(Violation(field: name, reason: "empty")) }
                    request.path = value
                case .authority:
                    request.authority = value
                default:
                    break
                }
            } else {
                regularFieldsBegan = true
                if let violation = self.checkRegularField(name: name, value: value, inTrailers: false) {
                    return .failure(violation)
                }
                switch name.utf8.count {
                case 4 where name == "host": request.hasHost = true
                case 14 where name == "content-length": request.hasContentLength = true
                default: break
                }
                request.fields.append((name, value))
            }
        }
        // RFC 9113 section 8.3.1: :method, :scheme and :path, except on CONNECT (section 8.5),
        // which has :method and :authority and nothing else.
        let isConnect = request.isConnect
        let required: PseudoHeaders = isConnect ? [.method, .authority] : [.method, .scheme, .path]
        let allowed: PseudoHeaders = isConnect ? [.method, .authority] : [.method, .scheme, .path, .authority]
        if let missing = self.firstName(of: required.subtracting(seen)) {
            return .failure(Violation(field: missing, reason: "missing"))
        }
        if let extra = self.firstName(of: seen.subtracting(allowed)) {
            return .failure(Violation(field: extra, reason: "not allowed on CONNECT"))
        }
        return .success(request)
    }

    /// Checks a trailing header block: regular fields only.
    static func checkTrailers(_ block: HPACKHeaders) -> Violation? {
        if case .failure(let violation) = self.readTrailers(block) { return violation }
        return nil
    }

    /// Checks a trailing header block and returns its fields, in order.
    static func readTrailers(_ block: HPACKHeaders) -> Result<[(String, String)], Violation> {
        var fields: [(String, String)] = []
        fields.reserveCapacity(block.count)
        for (name, value, _) in block {
            if name.utf8.first == UInt8(ascii: ":") {
                return .failure(Violation(field: name, reason: "pseudo-header in trailers"))
            }
            if let violation = self.checkRegularField(name: name, value: value, inTrailers: true) {
                return .failure(violation)
            }
            fields.append((name, value))
        }
        return .success(fields)
    }

    private static func checkRegularField(name: String, value: String, inTrailers: Bool) -> Violation? {
        guard self.isLowercaseToken(name) else {
            return Violation(field: name, reason: "not a lowercase token")
        }
        // RFC 9113 section 8.2.2: connection-specific fields are malformed; TE may only say
        // "trailers". Lengths first: almost every name is none of these.
        switch name.utf8.count {
        case 2 where !inTrailers && name == "te" && value != "trailers":
            return Violation(field: name, reason: "only \"trailers\" is allowed")
        case 7 where name == "upgrade",
            10 where name == "connection" || name == "keep-alive",
            16 where name == "proxy-connection",
            17 where name == "transfer-encoding":
            return Violation(field: name, reason: "connection-specific field")
        default:
            break
        }
        // RFC 9113 section 8.2.1: no NUL, LF or CR anywhere in a value; an HTTP/1.1 upstream
        // would read them as the end of the field.
        if self.containsByte(value, where: { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }) {
            return Violation(field: name, reason: "NUL, CR or LF in the value")
        }
        return nil
    }

    /// Pseudo-header values become the HTTP/1.1 request line and `Host`, and none of their
    /// grammars admits a space or a control character (a bare space in `:path` would make an
    /// ambiguous request line). Bytes from 0x80 up pass: clients send unencoded UTF-8 paths.
    private static func checkPseudoValue(_ value: String) -> String? {
        if self.containsByte(value, where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "space or control character in the value"
        }
        return nil
    }

    /// RFC 9110's `tchar`, without the uppercase letters HTTP/2 forbids in names.
    private static func isLowercaseToken(_ name: String) -> Bool {
        !name.utf8.isEmpty && !self.containsByte(name, where: { !self.isLowercaseTokenByte($0) })
    }

    private static func isLowercaseTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#")...UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether a byte of `string` passes `test`, read from the string's contiguous storage
    /// (native strings, as NIO's HPACK decoder makes them): walking a `String.UTF8View` index by
    /// index cost several times as much (`bench/callgrind.sh --http2`: 175,255 → 173,257
    /// instructions a request).
    @inline(__always)
    private static func containsByte(_ string: String, where test: (UInt8) -> Bool) -> Bool {
        if let found = string.utf8.withContiguousStorageIfAvailable({ $0.contains(where: test) }) { return found }
        return string.utf8.contains(where: test)
    }

    private static func firstName(of set: PseudoHeaders) -> String? {
        if set.contains(.method) { return ":method" }
        if set.contains(.scheme) { return ":scheme" }
        if set.contains(.authority) { return ":authority" }
        if set.contains(.path) { return ":path" }
        return nil
    }
}
