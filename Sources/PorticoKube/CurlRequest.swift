import Foundation

/// One HTTP request as the transport runs it, with what error messages need to know about it.
struct CurlRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    var method: Method
    /// The full URL, query included.
    var url: String
    /// The path and query, for messages.
    var target: String
    var headers: [String]
    var body: Data?
    /// Watches have no total timeout and no stall limit: they are quiet for minutes by design.
    var isWatch: Bool
    /// A watch's server-side `timeoutSeconds`; its client-side limit is this plus a margin.
    var watchTimeoutSeconds: Int?
    /// What the request does in RBAC terms, for a 403 message.
    var access: Access

    /// The RBAC verb, resource and scope of a request.
    struct Access: Sendable {
        var verb: String
        var resource: APIResource
        var namespace: String?
        var subresource: String?
    }
}

/// The parts of a finished response the client acts on.
struct CurlResponse: Sendable {
    var httpStatus: Int
    var body: Data
    var retryAfter: String?
}
