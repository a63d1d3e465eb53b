/// Outbound user events that tell connection-level handlers below the HTTP codec where the
/// request cycle is, so they can pick the right timeout without parsing HTTP themselves.
enum RequestPhase: Sendable {
    /// A complete request head was decoded.
    case headReceived
    /// The response to the current request is complete (sent just before its `.end`).
    case responseCompleted
}
