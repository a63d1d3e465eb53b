/// The HTTP version a downstream connection speaks, which decides how a request's end is
/// handled (HTTP/1.1 keeps the connection for the next request; an HTTP/2 stream carries one
/// request) and the `protocol` label of `portico_downstream_requests_total`.
enum DownstreamProtocol: CaseIterable {
    case http1
    case http2

    /// The metrics and access-log label: `h1` or `h2`.
    var label: String {
        switch self {
        case .http1: "h1"
        case .http2: "h2"
        }
    }
}
