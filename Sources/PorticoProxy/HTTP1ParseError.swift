internal import NIOHTTP1

/// Why an HTTP/1 message could not be read. For a request, `status` is what it is answered
/// with before the connection closes: 431 for a head over the limit (as nginx), 501 for a
/// transfer coding Portico cannot re-frame (as nginx and Envoy), 400 for anything else
/// malformed. An upstream's malformed response closes its connection, and the client gets 502.
///
/// `reason` names the part of the message at fault (`Content-Length`, the request line, a
/// chunk size).
struct HTTP1ParseError: Error, Equatable, CustomStringConvertible {
    let status: HTTPResponseStatus
    let reason: String

    var description: String { "\(self.status.code) \(self.reason)" }

    static let headTooLarge = Self(status: .requestHeaderFieldsTooLarge, reason: "head over the header limit")
    static let trailersTooLarge = Self(status: .requestHeaderFieldsTooLarge, reason: "trailer section over the header limit")

    static func malformed(_ reason: String) -> Self {
        Self(status: .badRequest, reason: reason)
    }

    static func unsupportedTransferCoding() -> Self {
        Self(status: .notImplemented, reason: "Transfer-Encoding other than chunked")
    }
}
