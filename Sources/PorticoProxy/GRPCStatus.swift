internal import NIOHTTP1

/// The gRPC status Portico answers a gRPC request with when it cannot relay it, instead of an
/// HTTP error page: gRPC clients read `grpc-status` and ignore the HTTP status of a 200.
///
/// The mapping follows Envoy and the gRPC spec's "HTTP to gRPC status code mapping": an unknown
/// route is UNIMPLEMENTED, anything that may heal by retrying elsewhere or later is UNAVAILABLE,
/// and a timeout is DEADLINE_EXCEEDED.
struct GRPCStatus: Equatable {
    /// The numeric code sent as `grpc-status`.
    let code: Int
    /// Sent as `grpc-message`. Plain ASCII without `%`, so it needs no percent-encoding.
    let message: String

    static let unimplemented = 12
    static let unavailable = 14
    static let deadlineExceeded = 4

    init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: ProxyError) {
        switch error {
        case .noRoute:
            self.init(code: Self.unimplemented, message: "no route for this method")
        case .noEndpoints:
            self.init(code: Self.unavailable, message: "no healthy upstream")
        case .connectRefused, .upstreamReset:
            self.init(code: Self.unavailable, message: "upstream connect error or disconnect/reset before headers")
        case .tlsFailure, .tlsUnavailable:
            // As Envoy: a failed upstream handshake is a connection failure.
            self.init(code: Self.unavailable, message: "upstream connect error or TLS failure")
        case .connectTimeout, .responseTimeout:
            self.init(code: Self.deadlineExceeded, message: "upstream request timeout")
        }
    }

    /// Whether a request is a gRPC call: its content type is `application/grpc`, optionally
    /// followed by `+proto`, `+json` or parameters (gRPC over HTTP/2 spec).
    static func isGRPC(_ head: HTTPRequestHead) -> Bool {
        guard let contentType = head.headers.first(name: "content-type") else { return false }
        // Compared byte by byte, ASCII case-insensitively: no lowercased copy per request.
        let prefix = "application/grpc".utf8
        var bytes = contentType.utf8.makeIterator()
        for expected in prefix {
            guard let byte = bytes.next(), byte | 0x20 == expected | 0x20 else { return false }
        }
        return true
    }
}
