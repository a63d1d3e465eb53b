public import PorticoModel

/// Why a request to the API server failed, sorted by what a caller does about it: retry with
/// backoff (`transport`, 429, 5xx), relist (410), re-read and retry (409), or report and wait
/// for a person (401, 403, `tlsVerification`, `configuration`).
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The server answered with a non-2xx status; `httpStatus` and usually `status` are set.
        case status
        /// No answer: refused, reset, name resolution, timeout, a stream cut mid-way.
        case transport
        /// The server's certificate did not verify against the configured CA (or the client
        /// certificate was refused during the handshake).
        case tlsVerification
        /// The answer was not the JSON expected.
        case decoding
        /// The client could not be set up (unreadable token or certificate file, bad URL).
        case configuration
    }

    public var kind: Kind
    public var httpStatus: Int?
    public var status: APIStatus?
    /// From a `Retry-After` header (429, 503) or `Status.details.retryAfterSeconds`.
    public var retryAfter: Duration?
    /// What happened, for a log line: the method and path, and the server's or libcurl's words.
    public var message: String

    public init(
        kind: Kind,
        httpStatus: Int? = nil,
        status: APIStatus? = nil,
        retryAfter: Duration? = nil,
        message: String
    ) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.status = status
        self.retryAfter = retryAfter
        self.message = message
    }

    /// The resourceVersion asked for is compacted away: list again.
    public var isGone: Bool { httpStatus == 410 || status?.code == 410 }

    public var description: String { message }
}
