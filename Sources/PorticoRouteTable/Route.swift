/// A compiled route: a path match and what to do with a request it matches.
public struct Route: Hashable, Sendable {
    public let match: PathMatch
    public let backend: Backend
    /// Who asked for this route, for metrics labels, access logs and `portico routes`.
    public let source: RouteSource

    public init(match: PathMatch, backend: Backend, source: RouteSource) {
        self.match = match
        self.backend = backend
        self.source = source
    }
}

/// Where a request goes.
public enum Backend: Hashable, Sendable, CustomStringConvertible {
    case cluster(ClusterID)

    public var description: String {
        switch self {
        case .cluster(let id): id.description
        }
    }
}

/// The Ingress a route came from. Plain strings: the proxy must not see Kubernetes types.
public struct RouteSource: Hashable, Sendable {
    public let namespace: String
    public let ingress: String
    public let service: String

    public init(namespace: String, ingress: String, service: String) {
        self.namespace = namespace
        self.ingress = ingress
        self.service = service
    }
}
