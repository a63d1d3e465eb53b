internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP1
internal import NIOHTTP2

/// The HTTP/2 frame payload for each part of a response `ProxyHandler` serves on a stream: the
/// head as HEADERS with `:status` first and the field names lowercased, body parts as DATA, the
/// end as trailing HEADERS with END_STREAM or an empty DATA with END_STREAM.
///
/// This is what NIO's `HTTP2FramePayloadToHTTP1ServerCodec` does on the way out, which cost
/// about 10,000 instructions an HTTP/2 request: the part unwrapped from `Any` with a runtime
/// cast, an `HTTPHeaders` built first, every name lowercased into a new string, and each one
/// compared with the five connection-specific names. Here a name is only rewritten when it has
/// an uppercase letter, and the connection-specific ones are found by length first. They should
/// not be there at all (`HeaderRewriter` drops hop-by-hop fields from upstream responses, the
/// fields a `Connection` header names among them, which NIO's codec also looked for), but a
/// field HTTP/2 forbids must never reach a client (RFC 9113 section 8.2.2).
enum HTTP2ResponseFrames {
    static func payload(for part: HTTPServerResponsePart, allocator: ByteBufferAllocator) -> HTTP2Frame.FramePayload {
        switch part {
        case .head(let head):
            var fields: [(String, String)] = []
            fields.reserveCapacity(head.headers.count + 1)
            fields.append((":status", Self.statusText(head.status.code)))
            Self.append(head.headers, to: &fields)
            return .headers(.init(headers: HPACKHeaders(fields)))
        case .body(let body):
            return .data(.init(data: body))
        case .end(let trailers?):
            var fields: [(String, String)] = []
            fields.reserveCapacity(trailers.count)
            Self.append(trailers, to: &fields)
            return .headers(.init(headers: HPACKHeaders(fields), endStream: true))
        case .end(nil):
            return .data(.init(data: .byteBuffer(allocator.buffer(capacity: 0)), endStream: true))
        }
    }

    private static func append(_ headers: HTTPHeaders, to fields: inout [(String, String)]) {
        for header in headers where !Self.isConnectionSpecific(header.name) {
            fields.append((Self.lowercased(header.name), header.value))
        }
    }

    /// `name` itself when it has no uppercase ASCII letter (almost always: upstreams and
    /// Portico write lowercase names), else its lowercase form.
    private static func lowercased(_ name: String) -> String {
        // Names from NIO's parser are native strings: a scan of their bytes, not of a
        // `String.UTF8View` index by index (about a fifth of the instructions).
        let hasUppercase = name.utf8.withContiguousStorageIfAvailable(Self.hasUppercase) ?? Self.hasUppercase(name.utf8)
        return hasUppercase ? name.lowercased() : name
    }

    private static func hasUppercase<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// `connection`, `keep-alive`, `proxy-connection`, `transfer-encoding` and `upgrade`, in any
    /// case.
    private static func isConnectionSpecific(_ name: String) -> Bool {
        switch name.utf8.count {
        case 7: return HeaderName.equals(name, "upgrade")
        case 10: return HeaderName.equals(name, "connection") || HeaderName.equals(name, "keep-alive")
        case 16: return HeaderName.equals(name, "proxy-connection")
        case 17: return HeaderName.equals(name, "transfer-encoding")
        default: return false
        }
    }

    /// The status code as text; the common ones without formatting a number.
    private static func statusText(_ code: UInt) -> String {
        switch code {
        case 200: return "200"
        case 204: return "204"
        case 206: return "206"
        case 301: return "301"
        case 302: return "302"
        case 304: return "304"
        case 307: return "307"
        case 308: return "308"
        case 400: return "400"
        case 401: return "401"
        case 403: return "403"
        case 404: return "404"
        case 500: return "500"
        case 502: return "502"
        case 503: return "503"
        case 504: return "504"
        default: return String(code)
        }
    }
}
