/// The compiled, immutable routing table: everything the proxy needs to route a request.
///
/// It is built off the request path by translation and published whole through one atomic
/// reference; a request loads it once when its head arrives and keeps it to the end, so a swap
/// never changes a request midway and never touches a connection. A class, so that a request
/// takes it with one retain rather than one per field.
public final class RouteTable: Sendable {
    /// Increases with every publish; shown in metrics and `portico routes`.
    public let generation: UInt64
    public let virtualHosts: [VirtualHost]
    /// Serves what no virtual host or path matches: the oldest Ingress `spec.defaultBackend`,
    /// else the controller's `--default-backend-service`; nil means 404.
    public let defaultRoute: Route?
    public let clusters: [ClusterID: Cluster]
    /// Ready endpoints per cluster. Replaced on its own when only endpoints change.
    public let endpoints: [ClusterID: [Endpoint]]
    /// Certificates to serve by SNI, one per Secret, sorted by Secret.
    public let certificates: [ServerCertificateSource]
    /// The `--default-ssl-certificate` Secret, when one is configured; otherwise the proxy
    /// serves the certificate it generated at start-up.
    public let defaultCertificate: ServerCertificateSource?
    /// Whether any virtual host redirects plain HTTP, so the plain listener can skip the host
    /// lookup when none does.
    public let redirectsToHTTPS: Bool
    /// Layer-4 listeners by port: raw TCP forwarded to a Service, outside HTTP routing.
    public let tcpServices: [Int: TCPService]
    /// Whether any virtual host is TLS passthrough, so the HTTPS listener reads ClientHellos
    /// for their SNI only when one is.
    public let hasPassthroughHosts: Bool

    /// Each cluster with its ready endpoints, for the proxy's one lookup a request.
    private let backends: [ClusterID: ClusterBackend]
    private let exactHosts: ByteKeyTable<Int>
    private let wildcardHosts: ByteKeyTable<Int>
    private let anyHost: Int?

    /// `virtualHosts` must hold at most one host per `HostMatch`; translation merges them.
    ///
    /// `previous` is a table whose host index may be reused: when its virtual hosts have the
    /// same matches in the same order (the common case, a change to some host's routes), the
    /// index of 20,000 hosts is taken over instead of hashed again.
    public init(
        generation: UInt64,
        virtualHosts: [VirtualHost],
        defaultRoute: Route? = nil,
        clusters: [ClusterID: Cluster] = [:],
        endpoints: [ClusterID: [Endpoint]] = [:],
        certificates: [ServerCertificateSource] = [],
        defaultCertificate: ServerCertificateSource? = nil,
        tcpServices: [Int: TCPService] = [:],
        reusingHostIndexOf previous: RouteTable? = nil
    ) {
        self.generation = generation
        self.virtualHosts = virtualHosts
        self.defaultRoute = defaultRoute
        self.clusters = clusters
        self.endpoints = endpoints
        self.certificates = certificates
        self.defaultCertificate = defaultCertificate
        self.redirectsToHTTPS = virtualHosts.contains { $0.security.redirectToHTTPS }
        self.tcpServices = tcpServices
        self.hasPassthroughHosts = virtualHosts.contains { $0.passthrough != nil }
        self.backends = clusters.mapValues { ClusterBackend(cluster: $0, endpoints: endpoints[$0.id] ?? []) }
        if let previous, previous.virtualHosts.count == virtualHosts.count,
            zip(previous.virtualHosts, virtualHosts).allSatisfy({ $0.0 === $0.1 || $0.0.match == $0.1.match })
        {
            self.exactHosts = previous.exactHosts
            self.wildcardHosts = previous.wildcardHosts
            self.anyHost = previous.anyHost
            return
        }
        var exactHosts: [(key: String, value: Int)] = []
        var wildcardHosts: [(key: String, value: Int)] = []
        var anyHost: Int?
        for (index, host) in virtualHosts.enumerated() {
            switch host.match {
            case .exact(let name): exactHosts.append((name, index))
            case .wildcard(let suffix): wildcardHosts.append((suffix, index))
            case .any: if anyHost == nil { anyHost = index }
            }
        }
        self.exactHosts = ByteKeyTable(exactHosts)
        self.wildcardHosts = ByteKeyTable(wildcardHosts)
        self.anyHost = anyHost
    }

    /// An empty table: every request gets 404. Served until the first real table is published.
    public static let empty = RouteTable(generation: 0, virtualHosts: [])

    /// A cluster and its ready endpoints (none when it has none), with one hash lookup where
    /// `clusters` and `endpoints` take two (`bench/callgrind.sh`: 45,545 → about 45,350
    /// instructions a request).
    public func backend(for cluster: ClusterID) -> ClusterBackend? {
        self.backends[cluster]
    }

    /// The same routes with new endpoints: the EndpointSlice fast path, which does not retranslate.
    public func replacingEndpoints(_ endpoints: [ClusterID: [Endpoint]], generation: UInt64) -> RouteTable {
        RouteTable(
            generation: generation,
            virtualHosts: virtualHosts,
            defaultRoute: defaultRoute,
            clusters: clusters,
            endpoints: endpoints,
            certificates: certificates,
            defaultCertificate: defaultCertificate,
            tcpServices: tcpServices,
            reusingHostIndexOf: self
        )
    }

    /// Finds the virtual host for a Host header value (any case, with or without port or
    /// trailing dot): an exact host first, then a one-label wildcard, then the host-less rules.
    public func virtualHost(for host: Substring) -> VirtualHost? {
        // A Host value's bytes are contiguous (a native string, or a slice of one) and almost
        // always lower case already: then the host is a prefix of them, looked up in place.
        let found = host.utf8.withContiguousStorageIfAvailable { bytes -> Int?? in
            let (length, hasUpperCase) = HostName.normalForm(of: bytes)
            guard !hasUpperCase else { return nil }
            return .some(self.virtualHostIndex(forNormalized: UnsafeBufferPointer(rebasing: bytes[..<length])))
        }
        let index: Int?
        if let found, let known = found {
            index = known
        } else {
            let name = HostName.normalize(host)
            index = Array(name.utf8).withUnsafeBufferPointer { self.virtualHostIndex(forNormalized: $0) }
        }
        return index.map { virtualHosts[$0] }
    }

    /// An exact host first, then the one-label wildcard for what follows the first dot, then
    /// the host-less rules.
    private func virtualHostIndex(forNormalized name: UnsafeBufferPointer<UInt8>) -> Int? {
        if let index = exactHosts.value(forKey: name) { return index }
        if !wildcardHosts.isEmpty, let dot = name.firstIndex(of: UInt8(ascii: ".")), dot != 0 {
            if let index = wildcardHosts.value(forKey: UnsafeBufferPointer(rebasing: name[(dot + 1)...])) { return index }
        }
        return anyHost
    }

    /// The cluster a TLS connection is passed through to, unterminated, for the SNI name its
    /// ClientHello carries; nil when that name's host is terminated by the proxy.
    ///
    /// Only exact and wildcard hosts can be passthrough (a host-less rule has no name to match),
    /// so a name no host matches is never passed through.
    public func passthroughCluster(forServerName name: Substring) -> ClusterID? {
        guard hasPassthroughHosts, let host = virtualHost(for: name) else { return nil }
        return host.passthrough
    }

    /// The route for a request, or nil for 404. `path` may carry a query; it is ignored.
    ///
    /// A host is chosen first and only its paths are tried, as nginx chooses a `server` and
    /// Envoy a virtual host; a request whose host matches but whose path does not gets that
    /// host's fallback, then the table's default route.
    public func lookup(host: Substring, path: Substring) -> Route? {
        route(in: virtualHost(for: host), path: path)
    }

    /// The route for a request whose virtual host was already found with `virtualHost(for:)`
    /// (nil when none matched): the proxy needs the host's security settings too, and looks
    /// the host up once for both.
    public func route(in virtualHost: VirtualHost?, path: Substring) -> Route? {
        let pathOnly = path.prefix(beforeByte: UInt8(ascii: "?"))
        if let virtualHost {
            if let route = virtualHost.route(forPath: pathOnly) { return route }
            if let fallback = virtualHost.fallback { return fallback }
        }
        return defaultRoute
    }
}
