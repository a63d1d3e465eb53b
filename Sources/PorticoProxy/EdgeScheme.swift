/// The listener a downstream connection arrived on, which decides `X-Forwarded-Proto` and the
/// handlers between the codec and `ProxyHandler`: the plain listener redirects TLS hosts to
/// HTTPS, the TLS listener adds HSTS.
enum EdgeScheme: Sendable {
    case http
    case https

    var name: String {
        switch self {
        case .http: "http"
        case .https: "https"
        }
    }
}
