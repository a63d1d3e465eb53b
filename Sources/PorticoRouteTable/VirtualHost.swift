/// The routes of one host, indexed for lookup.
///
/// Exact paths sit in one hash map and prefixes in another, keyed by the normalised prefix. A
/// lookup tries the exact map once, then the request path cut back one `/` element at a time:
/// O(path elements) hash probes whatever the number of routes, where a linear scan of sorted
/// routes would cost O(routes). Keys are bytes (`ByteKeyTable`) so that the request path's own
/// slices are probed without allocating and without Unicode processing.
///
/// A host with few routes (most hosts) has no maps: its routes, in precedence order, are
/// compared byte for byte with the request path and the first that matches wins. That is a
/// handful of comparisons, cheaper than hashing the path at each cut, and at 20,000 hosts the
/// two maps each were 10 MB.
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
    /// Filled only when the host has more than `scannedRoutes` routes; a smaller host's lookups
    /// scan `routes`, and its maps stay empty (an empty dictionary is a shared singleton, no
    /// storage of its own).
    private let exact: ByteKeyTable<Route>
    private let prefix: ByteKeyTable<Route>

    /// Hosts with up to this many routes are scanned rather than indexed.
    public static let scannedRoutes = 8

    private var isScanned: Bool { routes.count <= Self.scannedRoutes }

    /// `routes` must not hold two routes with the same match; translation resolves those
    /// conflicts (and reports them) before building. If it did, the first in order would win.
    public init(
        match: HostMatch, routes: [Route], fallback: Route? = nil, security: HostSecurity = .plain, passthrough: ClusterID? = nil
    ) {
        self.match = match
        self.passthrough = passthrough
        self.fallback = fallback
        self.security = security
        // Stable, so that of two routes with one match the first stays first for the scan too.
        self.routes = routes.enumerated().sorted { lhs, rhs in
            let (l, r) = (lhs.element.match.precedence, rhs.element.match.precedence)
            if l != r { return l > r }
            if lhs.element.match.path != rhs.element.match.path { return lhs.element.match.path < rhs.element.match.path }
            return lhs.offset < rhs.offset
        }.map(\.element)
        var exact: [(key: String, value: Route)] = []
        var prefix: [(key: String, value: Route)] = []
        if routes.count > Self.scannedRoutes {
            for route in routes {
                switch route.match {
                case .exact(let path): exact.append((path, route))
                case .prefix(let path): prefix.append((path, route))
                }
            }
        }
        self.exact = ByteKeyTable(exact)
        self.prefix = ByteKeyTable(prefix)
    }

    /// The route for a request path (without query), or nil when no path of this host matches.
    /// The fallback is not consulted here; `RouteTable.lookup` does that.
    public func route(forPath path: Substring) -> Route? {
        // A native string's bytes are contiguous, so the closure runs; the copy is for any
        // other kind of string, looked up by the same rule.
        let found = path.utf8.withContiguousStorageIfAvailable { bytes in route(forPathBytes: bytes) }
        return found ?? Array(path.utf8).withUnsafeBufferPointer { bytes in route(forPathBytes: bytes) }
    }

    private func route(forPathBytes path: UnsafeBufferPointer<UInt8>) -> Route? {
        if isScanned { return scan(path) }
        if let route = exact.value(forKey: path) { return route }
        if prefix.isEmpty { return nil }
        // Byte-wise: `/` is ASCII, so cutting the UTF-8 at it always leaves valid text.
        let slash = UInt8(ascii: "/")
        var end = path.count
        while end > 0, path[end - 1] == slash { end -= 1 }
        while true {
            if let route = prefix.value(forKey: UnsafeBufferPointer(rebasing: path[..<end])) { return route }
            guard end > 0, let cut = path[..<end].lastIndex(of: slash) else { return nil }
            end = cut
        }
    }

    /// The first route, in precedence order, that matches `path`: `PathMatch.matches` on bytes,
    /// as the maps compare. An exact path equals the request path; a prefix is followed in it
    /// by `/` or its end (checked first, as it rejects most); the root prefix takes any path that
    /// starts with `/`, or is empty.
    private func scan(_ path: UnsafeBufferPointer<UInt8>) -> Route? {
        let slash = UInt8(ascii: "/")
        for route in routes {
            switch route.match {
            case .exact(let value):
                if value.utf8.count == path.count, Self.bytes(of: value, equal: path) { return route }
            case .prefix(let value):
                let length = value.utf8.count
                if length == 0 {
                    if path.isEmpty || path[0] == slash { return route }
                } else if path.count >= length, path.count == length || path[length] == slash,
                    Self.bytes(of: value, equal: UnsafeBufferPointer(rebasing: path[0..<length]))
                {
                    return route
                }
            }
        }
        return nil
    }

    /// Whether `text`'s UTF-8 is `bytes`, which has as many.
    private static func bytes(of text: String, equal bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { $0.elementsEqual(bytes) } ?? text.utf8.elementsEqual(bytes)
    }
}
