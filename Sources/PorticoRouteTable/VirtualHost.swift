/// The routes of one host, indexed for lookup.
///
/// Exact paths sit in one hash map and prefixes in another, keyed by the normalised prefix. A
/// lookup tries the exact map once, then the request path cut back one `/` element at a time:
/// O(path elements) hash probes whatever the number of routes, where a linear scan of sorted
/// routes would cost O(routes). Keys are byte slices (`ByteKey`) so that the request path's own
/// slices are probed without allocating and without Unicode processing.
///
/// A final class so that choosing a host costs one reference, not a copy of its maps.
public final class VirtualHost: Sendable {
    public let match: HostMatch
    /// All routes, highest precedence first (for display; lookup uses the maps).
    public let routes: [Route]
    /// Serves requests for this host that no path matches (an Ingress `spec.defaultBackend`).
    public let fallback: Route?
    /// Redirect and HSTS wishes for this host (`.plain` unless a TLS section or an annotation
    /// asks otherwise).
    public let security: HostSecurity
    /// Set when this host is TLS passthrough: HTTPS connections whose SNI names it are not
    /// terminated but spliced, bytes untouched, to this cluster. Paths play no part there.
    public let passthrough: ClusterID?
    private let exact: [ByteKey: Route]
    private let prefix: [ByteKey: Route]

    /// `routes` must not hold two routes with the same match; translation resolves those
    /// conflicts (and reports them) before building. If it did, the first in order would win.
    public init(
        match: HostMatch, routes: [Route], fallback: Route? = nil, security: HostSecurity = .plain, passthrough: ClusterID? = nil
    ) {
        self.match = match
        self.passthrough = passthrough
        self.fallback = fallback
        self.security = security
        var exact: [ByteKey: Route] = [:]
        var prefix: [ByteKey: Route] = [:]
        for route in routes {
            switch route.match {
            case .exact(let path):
                if exact[ByteKey(Substring(path))] == nil { exact[ByteKey(Substring(path))] = route }
            case .prefix(let path):
                if prefix[ByteKey(Substring(path))] == nil { prefix[ByteKey(Substring(path))] = route }
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
        if !exact.isEmpty, let route = exact[ByteKey(path)] { return route }
        if prefix.isEmpty { return nil }
        // Byte-wise: `/` is ASCII, so cutting the UTF-8 view at it always leaves valid text.
        let bytes = path.utf8
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") {
            end = bytes.index(before: end)
        }
        while true {
            if let route = prefix[ByteKey(Substring(bytes[bytes.startIndex..<end]))] { return route }
            guard end > bytes.startIndex,
                let slash = bytes[bytes.startIndex..<end].lastIndex(of: UInt8(ascii: "/"))
            else { return nil }
            end = slash
        }
    }
}
