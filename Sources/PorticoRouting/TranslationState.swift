internal import PorticoModel
internal import PorticoRouteTable

/// What the processors of one translation pass along, from the snapshot to the finished table.
struct TranslationState {
    let snapshot: ResourceSnapshot
    let options: TranslationOptions
    /// What the last translation worked out that this one may reuse; refreshed as it goes.
    var memo: TranslationMemo
    /// Ingresses of our class, oldest first (the order conflicts are decided in).
    var ingresses: [SourcedObject<Ingress>] = []
    /// The controller ConfigMap's settings, or the built-in defaults.
    var settings = ControllerSettings()
    var parsed: [ParsedIngress] = []
    var hosts: [HostMatch: VirtualHostBuilder] = [:]
    /// The cluster of every claim, fallback and passthrough placed in `hosts`, added as each is
    /// placed (none is ever taken back), so that listing the table's clusters need not walk
    /// every route of every host again.
    var servedClusters: Set<ClusterID> = []
    var defaultRoute: Route?
    var clusters: [ClusterID: Cluster] = [:]
    var endpoints: [ClusterID: [Endpoint]] = [:]
    var certificates: [ServerCertificateSource] = []
    var defaultCertificate: ServerCertificateSource?
    /// Layer-4 listeners from the tcp-services ConfigMap, by port.
    var tcpServices: [Int: TCPService] = [:]
    /// Diagnostics about objects other than Ingresses (the controller's default Service).
    var diagnostics: [Diagnostic] = []

    init(snapshot: ResourceSnapshot, options: TranslationOptions, memo: TranslationMemo = TranslationMemo()) {
        self.snapshot = snapshot
        self.options = options
        self.memo = memo
    }
}

/// The routes of one host while Ingresses are merged into it: first claim wins, so the caller
/// must offer Ingresses oldest first.
struct VirtualHostBuilder {
    struct Claim {
        let route: Route
        let owner: NamespacedName
        let field: IngressField
    }

    /// The claims in claim order.
    private var claims: [Claim] = []
    /// Each claim's position by its match, built only once a host has more claims than a short
    /// scan handles well. Most hosts have a handful of paths, and at 20,000 hosts one hash map
    /// each was 17 MB held through every translation.
    private var index: [PathMatch: Int]?
    /// The claimed routes in claim order: what the virtual host is built from, kept beside
    /// `claims` so that building and comparing a host maps nothing.
    private(set) var routes: [Route] = []
    var fallback: Claim?
    /// Set once, by the oldest Ingress that names the host (`decideSecurity`).
    private(set) var security: HostSecurity = .plain
    private var securityDecided = false
    /// The TLS passthrough cluster of this host and the Ingress that asked for it (the oldest).
    var passthrough: (cluster: ClusterID, owner: NamespacedName)?

    /// Sets the host's redirect and HSTS unless an older Ingress already did; `decide` runs
    /// only then.
    mutating func decideSecurity(_ decide: () -> HostSecurity) {
        guard !securityDecided else { return }
        securityDecided = true
        security = decide()
    }

    /// Claims up to this many are found by scanning them.
    static let scannedClaims = 8

    /// Sizes an unclaimed host for the `count` paths its first Ingress brings, which are usually
    /// all it gets: appending grew most hosts' arrays to twice their size. A host claimed again
    /// later grows as usual.
    mutating func reserveForFirstClaims(_ count: Int) {
        guard claims.isEmpty else { return }
        claims.reserveCapacity(count)
        routes.reserveCapacity(count)
    }

    /// Claims the route's match for it, or returns the claim that already holds that match.
    mutating func claim(_ route: Route, owner: NamespacedName, field: IngressField) -> Claim? {
        let match = route.match
        if let index {
            if let held = index[match] { return claims[held] }
        } else if let held = claims.first(where: { $0.route.match == match }) {
            return held
        }
        claims.append(Claim(route: route, owner: owner, field: field))
        routes.append(route)
        if index != nil {
            index?[match] = claims.count - 1
        } else if claims.count > Self.scannedClaims {
            index = Dictionary(uniqueKeysWithValues: claims.enumerated().map { ($1.route.match, $0) })
        }
        return nil
    }

    /// The virtual host, or `previous` itself when it was built from the same routes and
    /// settings: an unchanged host keeps its compiled maps from one table to the next.
    func build(_ match: HostMatch, reusing previous: BuiltVirtualHost?) -> BuiltVirtualHost {
        let passthrough = passthrough?.cluster
        if let previous, previous.routes == routes, previous.host.fallback == fallback?.route,
            previous.host.security == security, previous.host.passthrough == passthrough
        {
            return previous
        }
        let host = VirtualHost(match: match, routes: routes, fallback: fallback?.route, security: security, passthrough: passthrough)
        return BuiltVirtualHost(routes: routes, host: host)
    }
}

/// A field of an Ingress that claims something, kept as indexes until a diagnostic prints it.
enum IngressField: Hashable, Sendable, CustomStringConvertible {
    case path(rule: Int, path: Int)
    case defaultBackend

    var description: String {
        switch self {
        case .path(let rule, let path): "spec.rules[\(rule)].http.paths[\(path)]"
        case .defaultBackend: "spec.defaultBackend"
        }
    }

    /// The backend this field holds: `spec.rules[0].http.paths[1].backend`, `spec.defaultBackend`.
    var backendField: String {
        switch self {
        case .path: "\(self).backend"
        case .defaultBackend: "spec.defaultBackend"
        }
    }
}
