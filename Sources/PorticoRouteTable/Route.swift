/// A compiled route: a path match and what to do with a request it matches.
///
/// A final class, not a struct: a lookup hands the proxy one reference instead of copying a
/// value holding eight strings (and retaining each), which the route bench showed in profiles.
/// It is immutable, so sharing it across event loops is safe.
public final class Route: Hashable, Sendable {
    public let match: PathMatch
    public let backend: Backend
    /// Who asked for this route, for metrics labels, access logs and `portico routes`.
    public let source: RouteSource

    public init(match: PathMatch, backend: Backend, source: RouteSource) {
        self.match = match
        self.backend = backend
        self.source = source
    }

    public static func == (lhs: Route, rhs: Route) -> Bool {
        lhs === rhs || (lhs.match == rhs.match && lhs.backend == rhs.backend && lhs.source == rhs.source)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(match)
        hasher.combine(backend)
        hasher.combine(source)
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
///
/// The proxy finds each request's metrics by its route's source, so the three names are
/// hashed once, when the source is made: hashing them per request cost about 600 instructions.
public struct RouteSource: Hashable, Sendable {
    public let namespace: String
    public let ingress: String
    public let service: String
    private let namesHash: Int

    public init(namespace: String, ingress: String, service: String) {
        self.namespace = namespace
        self.ingress = ingress
        self.service = service
        var hasher = Hasher()
        hasher.combine(namespace)
        hasher.combine(ingress)
        hasher.combine(service)
        self.namesHash = hasher.finalize()
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.namesHash == rhs.namesHash && lhs.namespace == rhs.namespace && lhs.ingress == rhs.ingress
            && lhs.service == rhs.service
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(self.namesHash) }
}
