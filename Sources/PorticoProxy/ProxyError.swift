internal import NIOCore
internal import PorticoRouteTable
internal import NIOHTTP1

/// Why the proxy answered a request itself instead of relaying an upstream response.
///
/// Each case records who failed and whether trying again is safe; the mapping to a status, a
/// response body and a metrics label lives here, in one place (STYLE.md convention 8).
enum ProxyError: Error, Equatable, CustomStringConvertible {
    /// No virtual host or path matched (downstream's request, nothing failed).
    case noRoute
    /// The route's cluster has no Service or no ready endpoints.
    case noEndpoints
    /// The endpoint refused the connection (or it could not be opened at all).
    case connectRefused(Endpoint)
    /// The connection was not established within `upstreamConnectTimeout`.
    case connectTimeout(Endpoint)
    /// The upstream connection closed or failed before a response head arrived.
    case upstreamReset(Endpoint)
    /// No response head within `upstreamResponseTimeout`.
    case responseTimeout(Endpoint)
    /// The TLS handshake with the endpoint failed (unverifiable certificate, wrong name, no
    /// `h2` by ALPN); the reason is logged once per cluster.
    case tlsFailure(Endpoint, String)
    /// The cluster's upstream TLS settings cannot be used (a named CA Secret missing or
    /// unreadable): the proxy fails closed rather than connect unverified.
    case tlsUnavailable(ClusterID)

    /// The status the client sees.
    var status: HTTPResponseStatus {
        switch self {
        case .noRoute: .notFound
        case .noEndpoints: .serviceUnavailable
        case .connectRefused, .upstreamReset, .tlsFailure, .tlsUnavailable: .badGateway
        case .connectTimeout, .responseTimeout: .gatewayTimeout
        }
    }

    /// The `reason` label of `portico_upstream_errors_total`, nil when no upstream failed.
    var metricsReason: UpstreamErrorReason? {
        switch self {
        case .noRoute: nil
        case .noEndpoints: .noEndpoints
        case .connectRefused: .refused
        case .upstreamReset: .reset
        case .connectTimeout, .responseTimeout: .timeout
        case .tlsFailure, .tlsUnavailable: .tls
        }
    }

    /// Whether a request that failed this way may be sent again on a fresh connection. Only a
    /// reset can be the stale keep-alive race; the caller also checks that no body byte was sent.
    var isRetryable: Bool {
        if case .upstreamReset = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .noRoute: "no route matches the request"
        case .noEndpoints: "the route's cluster has no ready endpoints"
        case .connectRefused(let endpoint): "upstream \(endpoint) refused the connection"
        case .connectTimeout(let endpoint): "connecting to upstream \(endpoint) timed out"
        case .upstreamReset(let endpoint): "upstream \(endpoint) closed the connection before responding"
        case .responseTimeout(let endpoint): "upstream \(endpoint) sent no response head in time"
        case .tlsFailure(let endpoint, let reason): "TLS with upstream \(endpoint) failed: \(reason)"
        case .tlsUnavailable(let cluster): "the upstream TLS settings of \(cluster) are unusable"
        }
    }

    /// Classifies a failure to open an upstream connection.
    static func connectFailure(_ error: any Error, endpoint: Endpoint) -> ProxyError {
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .connectTimeout(endpoint)
        }
        return .connectRefused(endpoint)
    }
}

/// The `reason` dimension of `portico_upstream_errors_total`.
enum UpstreamErrorReason: String, CaseIterable {
    case refused
    case reset
    case timeout
    case noEndpoints = "no_endpoints"
    /// A TLS handshake with an upstream failed, or its TLS settings are unusable.
    case tls
}
