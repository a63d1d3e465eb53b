internal import NIOHTTP1

/// Whether an HTTP/1 message lets its connection carry another (RFC 9112 section 9.3): not if
/// `Connection` says `close`; if it says `keep-alive`; otherwise from HTTP/1.1 on. Read on the
/// bytes of `Connection`'s values, with NIO's `isKeepAlive` rules (which also answer false for
/// an HTTP/2 head without either option).
///
/// NIO's `isKeepAlive` is free for heads its own decoder made (it keeps what llhttp found), but
/// for heads from Portico's decoders it walks `Connection` by `Character` through
/// `canonicalForm`: about 700 instructions a head, two heads a proxied request.
enum HTTP1KeepAlive {
    static func isKeepAlive(_ headers: HTTPHeaders, version: HTTPVersion) -> Bool {
        var close = false
        var keepAlive = false
        // `contains` first: it scans without making the array of values.
        if headers.contains(name: "connection") {
            for value in headers["connection"] {
                var value = value
                value.withUTF8 { bytes in
                    HTTP1Syntax.forEachListItem(in: bytes) { option in
                        if HeaderName.equals(option, "close") { close = true }
                        if HeaderName.equals(option, "keep-alive") { keepAlive = true }
                    }
                }
            }
        }
        if close { return false }
        return keepAlive || (version.major == 1 && version.minor >= 1)
    }
}
