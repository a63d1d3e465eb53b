import PorticoRouteTable

/// A route table of a given size shaped like a real cluster's, and the requests to probe it with.
///
/// Every host gets the first `pathsPerHost` of the ten `pathTemplates`, so `routes / pathsPerHost`
/// hosts; one host in fifty is a one-label wildcard (`*.team-N.example.com`), as shared platform
/// domains are. Names are deterministic so that runs are comparable.
struct TableFixture {
    let table: RouteTable
    let hostCount: Int
    private let hostNames: [String]

    /// The ten path matches of every host: a root prefix, API versions, static files, health.
    static let pathTemplates: [PathMatch] = [
        .prefix(written: "/"),
        .prefix(written: "/api/v1"),
        .prefix(written: "/api/v2"),
        .prefix(written: "/api/v1/users"),
        .exact("/healthz"),
        .exact("/api/v1/login"),
        .prefix(written: "/static/"),
        .prefix(written: "/assets/img"),
        .prefix(written: "/graphql"),
        .exact("/favicon.ico"),
    ]

    init(routes: Int, pathsPerHost: Int = TableFixture.pathTemplates.count) {
        let templates = Array(Self.pathTemplates.prefix(pathsPerHost))
        let hostCount = max(1, routes / templates.count)
        var virtualHosts: [VirtualHost] = []
        var hostNames: [String] = []
        virtualHosts.reserveCapacity(hostCount)
        for index in 0..<hostCount {
            let team = index % 97
            let match: HostMatch
            let requestHost: String
            if index % 50 == 49 {
                match = .wildcard("shop-\(index).team-\(team).example.com")
                requestHost = "eu.shop-\(index).team-\(team).example.com"
            } else {
                let name = "svc-\(index).team-\(team).example.com"
                match = .exact(name)
                requestHost = name
            }
            hostNames.append(requestHost)
            let cluster = ClusterID(namespace: "team-\(team)", service: "svc-\(index)", port: "80")
            let source = RouteSource(namespace: "team-\(team)", ingress: "ing-\(index)", service: "svc-\(index)")
            let hostRoutes = templates.map { Route(match: $0, backend: .cluster(cluster), source: source) }
            virtualHosts.append(VirtualHost(match: match, routes: hostRoutes))
        }
        self.table = RouteTable(generation: 1, virtualHosts: virtualHosts)
        self.hostCount = hostCount
        self.hostNames = hostNames
    }

    /// 1,024 requests spread over the table's hosts: about 80% hit a route (exact, prefix, deep
    /// prefix, with query, mixed case with port), the rest miss on host or on every path.
    func queries() -> [LookupQuery] {
        let paths = [
            "/api/v1/users/12345/orders?page=2",
            "/healthz",
            "/static/js/app.3f9c1b.js",
            "/api/v2/items",
            "/api/v1/login",
            "/graphql",
            "/index.html",
            "/assets/img/logo.png",
        ]
        var queries: [LookupQuery] = []
        queries.reserveCapacity(1_024)
        // A multiplicative hash spreads the probed hosts over the whole table, so a large table
        // is not measured only on its first, cache-warm entries.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<1_024 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let hostIndex = Int((state >> 33) % UInt64(hostNames.count))
            let path = paths[index % paths.count]
            switch index % 10 {
            case 8:
                queries.append(LookupQuery(host: "unknown-\(index).example.org", path: path))
            case 9:
                queries.append(LookupQuery(host: hostNames[hostIndex].uppercased() + ":443", path: path))
            default:
                queries.append(LookupQuery(host: hostNames[hostIndex], path: path))
            }
        }
        return queries
    }
}

/// One probe: a Host header value and a request target, stored as `Substring` as the proxy
/// would pass slices of the request head.
struct LookupQuery {
    let host: Substring
    let path: Substring

    init(host: String, path: String) {
        self.host = Substring(host)
        self.path = Substring(path)
    }
}
