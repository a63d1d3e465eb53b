/// Where the request cycle is, told to connection-level handlers below the HTTP codec so they
/// can pick the right timeout without parsing HTTP themselves, by a direct call from
/// `ProxyHandler`.
enum RequestPhase: Sendable {
    /// A complete request head was decoded.
    case headReceived
    /// The response to the current request is complete (sent just before its `.end`), and so
    /// is the request.
    case responseCompleted
    /// The response is complete but the request's body is still arriving: it is read and
    /// dropped until its end, then the connection waits for the next request.
    case discardingBody
}
