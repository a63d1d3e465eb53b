internal import NIOHTTP1

/// Why an HTTP/1 request could not be read, with the status it is answered with before the
/// connection closes: 431 for a head over the limit (as nginx), 501 for a transfer coding
/// Portico cannot re-frame (as nginx and Envoy), 400 for anything else malformed.
///
/// `reason` names the part of the request at fault (`Content-Length`, the request line, a
/// chunk size), for the log line the connection's end gets.
struct HTTP1RequestError: Error, Equatable, CustomStringConvertible {
    let status: HTTPResponseStatus
    let reason: String

    var description: String { "\(self.status.code) \(self.reason)" }

    static let headTooLarge = Self(status: .requestHeaderFieldsTooLarge, reason: "request head over the header limit")
    static let trailersTooLarge = Self(status: .requestHeaderFieldsTooLarge, reason: "trailer section over the header limit")

    static func malformed(_ reason: String) -> Self {
        Self(status: .badRequest, reason: reason)
    }

    static func unsupportedTransferCoding() -> Self {
        Self(status: .notImplemented, reason: "Transfer-Encoding other than chunked")
    }
}
