/// One request the server answered, for assertions such as "the status was written once".
public struct RecordedRequest: Sendable, Hashable {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    public var method: String
    /// The path without the query.
    public var path: String
    public var query: [String: String]
    /// Header names lowercased (`user-agent`, `accept`, `authorization`, …).
    public var headers: [String: String]
    /// The Kubernetes verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`; nil
    /// for paths that name no resource.
    public var verb: String?
    /// The resource plural, with `/status` for the subresource (`ingresses/status`).
    public var resource: String?
    public var namespace: String?
    public var name: String?
    /// The authenticated user, nil when authentication failed.
    public var user: String?
    /// The HTTP status of the answer (200 for a watch, whose errors travel as events).
    public var statusCode: Int
    /// The request body when it was JSON.
    public var body: JSONValue?
    /// `HTTP/1.1` or `HTTP/2`: what the client negotiated, so a test can check that its client
    /// speaks HTTP/2 to a server that offers it, as a real cluster does.
    public var httpVersion: String
    /// The number of the TCP connection the request came on (1 for the first accepted). Requests
    /// with the same number shared a connection: with HTTP/2, concurrent watches should.
    public var connection: Int

    /// Whether the request could change state (create, update, patch, delete).
    public var isWrite: Bool {
        ["POST", "PUT", "PATCH", "DELETE"].contains(method)
    }
}
