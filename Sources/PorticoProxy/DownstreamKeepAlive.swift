internal import NIOHTTP1

/// Whether a downstream connection survives the response being relayed to it, decided when the
/// response head goes out, and the `Connection` header that says so.
enum DownstreamKeepAlive {
    /// Rewrites `head` (already at the client's HTTP version) and returns whether the
    /// connection stays open after this response.
    ///
    /// - Parameters:
    ///   - requestKeepAlive: the client asked for keep-alive (HTTP/1.1 default, or 1.0 with
    ///     `Connection: keep-alive`).
    static func apply(
        to head: inout HTTPResponseHead,
        method: HTTPMethod,
        requestKeepAlive: Bool
    ) -> Bool {
        // HTTP/2 has no connection-level keep-alive in a response: the stream ends with it.
        guard head.version.major < 2 else { return true }
        var keepAlive = requestKeepAlive
        if keepAlive, head.version.minor == 0 {
            // HTTP/1.0 has no chunked framing: a body without a length ends at close.
            let hasLength =
                head.headers.contains(name: "content-length") || !head.status.mayHaveResponseBody || method == .HEAD
            if hasLength {
                head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            } else {
                keepAlive = false
            }
        }
        if !keepAlive, head.version.minor >= 1 {
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
        return keepAlive
    }
}
