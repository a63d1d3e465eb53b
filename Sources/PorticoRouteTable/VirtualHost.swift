/// The routes of one host, indexed for lookup.
///
/// Exact paths sit in one hash map and prefixes in another, keyed by the normalised prefix. A
/// lookup tries the exact map once, then the request path cut back one `/` element at a time:
/// O(path elements) hash probes whatever the number of routes, where a linear scan of sorted
/// routes would cost O(routes). Keys are `Substring` so that the request path's own slices are
/// probed without allocating a `String`.
public struct VirtualHost: Sendable {
    public let match: HostMatch
    /// All routes, highest precedence first (for display; lookup uses the maps).
    public let routes: [Route]
    /// Serves requests for this host that no path matches (an Ingress `spec.defaultBackend`).
    public let fallback: Route?
    private let exact: [Substring: Route]
    private let prefix: [Substring: Route]

    /// `routes` must not hold two routes with the same match; translation resolves those
    /// conflicts (and reports them) before building. If it did, the first in order would win.
    public init(match: HostMatch, routes: [Route], fallback: Route? = nil) {
        self.match = match
        self.fallback = fallback
        var exact: [Substring: Route] = [:]
        var prefix: [Substring: Route] = [:]
        for route in routes {
            switch route.match {
            case .exact(let path):
                if exact[Substring(path)] == nil { exact[Substring(path)] = route }
            case .prefix(let path):
                if prefix[Substring(path)] == nil { prefix[Substring(path)] = route }
            }
        }
        self.exact = exact
        self.prefix = prefix
        self.routes = routes.sorted { lhs, rhs in
            let (l, r) = (lhs.match.precedence, rhs.match.precedence)
            return l != r ? l > r : lhs.match.path < rhs.match.path
        }
    }

    /// The route for a request path (without query), or nil when no path of this host matches.
    /// The fallback is not consulted here; `RouteTable.lookup` does that.
    public func route(forPath path: Substring) -> Route? {
        if !exact.isEmpty, let route = exact[path] { return route }
        if prefix.isEmpty { return nil }
        var candidate = PathMatch.trimmingTrailingSlashes(path)
        while true {
            if let route = prefix[candidate] { return route }
            guard let slash = candidate.lastIndex(of: "/") else { return nil }
            if slash == candidate.startIndex {
                // Only the root prefix is left to try ("" is the key of "/").
                return candidate.isEmpty ? nil : prefix[candidate[candidate.startIndex..<candidate.startIndex]]
            }
            candidate = candidate[..<slash]
        }
    }
}
