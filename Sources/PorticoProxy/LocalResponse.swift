internal import NIOCore
internal import NIOHTTP1

/// Responses the proxy writes itself: short plain-text bodies that reveal no internals, as
/// nginx's and Envoy's own error pages do.
enum LocalResponse {
    /// The body for a status the proxy produces.
    static func body(for status: HTTPResponseStatus) -> String {
        switch status {
        case .notFound: "404 page not found\n"
        case .serviceUnavailable: "no healthy upstream\n"
        case .badGateway: "upstream connect error or disconnect/reset before headers\n"
        case .gatewayTimeout: "upstream request timeout\n"
        case .requestTimeout: "request header read timeout\n"
        case .requestHeaderFieldsTooLarge: "request header fields too large\n"
        default: "\(status.code) \(status.reasonPhrase)\n"
        }
    }

    /// Head and body for `status`; `close` adds `Connection: close`.
    static func make(
        _ status: HTTPResponseStatus,
        version: HTTPVersion,
        close: Bool,
        allocator: ByteBufferAllocator
    ) -> (HTTPResponseHead, ByteBuffer) {
        let body = allocator.buffer(string: self.body(for: status))
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        if close { headers.add(name: "connection", value: "close") }
        return (HTTPResponseHead(version: version, status: status, headers: headers), body)
    }

    /// The whole response as bytes, for handlers that sit below the HTTP codec.
    static func bytes(_ status: HTTPResponseStatus, allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = self.body(for: status)
        var buffer = allocator.buffer(capacity: 128 + body.utf8.count)
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        buffer.writeString("content-type: text/plain; charset=utf-8\r\n")
        buffer.writeString("content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n")
        buffer.writeString(body)
        return buffer
    }
}

extension LocalResponse {
    /// A gRPC "trailers-only" response for a failed gRPC call: status 200, `application/grpc`,
    /// `grpc-status` and `grpc-message` in the head and no body. On HTTP/2 the head and the end
    /// leave as one HEADERS frame with END_STREAM (see `HTTP2StreamFront`), which is
    /// what gRPC clients expect; on HTTP/1.1 `content-length: 0` frames it.
    static func grpc(_ status: GRPCStatus, version: HTTPVersion, close: Bool) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "grpc-status", value: String(status.code))
        headers.add(name: "grpc-message", value: status.message)
        if version.major < 2 {
            headers.add(name: "content-length", value: "0")
            if close { headers.add(name: "connection", value: "close") }
        }
        return HTTPResponseHead(version: version, status: .ok, headers: headers)
    }
}
