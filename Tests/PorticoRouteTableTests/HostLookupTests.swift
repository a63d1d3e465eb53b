import PorticoRouteTable
import Testing

/// Host selection in `RouteTable`: exact, then one-label wildcard, then host-less rules; then
/// the host's fallback and the table's default route.
@Suite struct HostLookupTests {
    static let table = RouteTable(
        generation: 7,
        virtualHosts: [
            VirtualHost(match: .exact("a.example.com"), routes: [testRoute(.prefix(written: "/"), "exact-a")]),
            VirtualHost(
                match: .wildcard("example.com"),
                routes: [testRoute(.prefix(written: "/api"), "wildcard-api")],
                fallback: testRoute(.prefix(written: "/"), "wildcard-fallback")
            ),
            VirtualHost(match: .exact("[::1]"), routes: [testRoute(.prefix(written: "/"), "ipv6")]),
            VirtualHost(match: .exact("only-exact.test"), routes: [testRoute(.exact("/x"), "only-exact")]),
            VirtualHost(match: .any, routes: [testRoute(.prefix(written: "/"), "any")]),
        ],
        defaultRoute: testRoute(.prefix(written: "/"), "default")
    )

    struct Case: Sendable, CustomStringConvertible {
        let host: String
        let path: String
        let expected: String?
        var description: String { "\(host) \(path) -> \(expected ?? "nil")" }
    }

    @Test(arguments: [
        Case(host: "a.example.com", path: "/api", expected: "exact-a"),  // exact beats wildcard
        Case(host: "b.example.com", path: "/api/v1", expected: "wildcard-api"),
        Case(host: "b.example.com", path: "/other", expected: "wildcard-fallback"),
        Case(host: "example.com", path: "/api", expected: "any"),  // wildcard needs one more label
        Case(host: "a.b.example.com", path: "/api", expected: "any"),  // and only one
        Case(host: ".example.com", path: "/api", expected: "any"),
        Case(host: "unknown.test", path: "/", expected: "any"),
        Case(host: "A.Example.COM", path: "/", expected: "exact-a"),  // case-insensitive
        Case(host: "B.EXAMPLE.com", path: "/api", expected: "wildcard-api"),
        Case(host: "a.example.com:8443", path: "/", expected: "exact-a"),  // port ignored
        Case(host: "a.example.com.", path: "/", expected: "exact-a"),  // trailing dot ignored
        Case(host: "a.example.com.:80", path: "/", expected: "exact-a"),
        Case(host: "b.example.com:80", path: "/api?x=1", expected: "wildcard-api"),  // query ignored
        Case(host: "[::1]:8080", path: "/", expected: "ipv6"),
        Case(host: "[::1]", path: "/", expected: "ipv6"),
        Case(host: "only-exact.test", path: "/x?q", expected: "only-exact"),
        Case(host: "only-exact.test", path: "/y", expected: "default"),  // no fallback: table default
        Case(host: "", path: "/", expected: "any"),
    ])
    func lookup(_ c: Case) {
        let route = Self.table.lookup(host: Substring(c.host), path: Substring(c.path))
        #expect(serviceName(route) == c.expected)
    }

    @Test func withoutHostlessRulesOrDefaultAnUnknownHostIs404() {
        let table = RouteTable(
            generation: 1,
            virtualHosts: [VirtualHost(match: .exact("a.test"), routes: [testRoute(.exact("/"), "a")])]
        )
        #expect(table.lookup(host: "b.test", path: "/") == nil)
        #expect(table.lookup(host: "a.test", path: "/nothing") == nil)
        #expect(serviceName(table.lookup(host: "a.test", path: "/")) == "a")
        #expect(RouteTable.empty.lookup(host: "a.test", path: "/") == nil)
    }

    /// A table built over a previous one with the same hosts in the same order takes over its
    /// index but serves its own virtual hosts; with other hosts, it builds its own index.
    @Test func aPreviousTablesHostIndexIsReusedOnlyForTheSameHosts() {
        /// A table of hosts each with one route `/` to the named service.
        func table(_ hosts: [(HostMatch, String)], reusing previous: RouteTable? = nil) -> RouteTable {
            RouteTable(
                generation: (previous?.generation ?? 0) + 1,
                virtualHosts: hosts.map { VirtualHost(match: $0.0, routes: [testRoute(.exact("/"), $0.1)]) },
                reusingHostIndexOf: previous
            )
        }
        let previous = table([(.exact("a.test"), "a1"), (.wildcard("test"), "w1")])
        let sameHosts = table([(.exact("a.test"), "a2"), (.wildcard("test"), "w2")], reusing: previous)
        #expect(serviceName(sameHosts.lookup(host: "a.test", path: "/")) == "a2")
        #expect(serviceName(sameHosts.lookup(host: "b.test", path: "/")) == "w2")

        let otherHosts = table([(.wildcard("test"), "w3"), (.exact("c.test"), "c3")], reusing: sameHosts)
        #expect(serviceName(otherHosts.lookup(host: "c.test", path: "/")) == "c3")
        #expect(serviceName(otherHosts.lookup(host: "a.test", path: "/")) == "w3")
        #expect(serviceName(otherHosts.lookup(host: "b.test", path: "/")) == "w3")
    }

    @Test func unknownHostFallsToTheDefaultRouteWithoutHostlessRules() {
        let table = RouteTable(
            generation: 1,
            virtualHosts: [VirtualHost(match: .exact("a.test"), routes: [testRoute(.exact("/"), "a")])],
            defaultRoute: testRoute(.prefix(written: "/"), "default")
        )
        #expect(serviceName(table.lookup(host: "b.test", path: "/")) == "default")
    }

    @Test func hostNormalisation() {
        #expect(HostName.normalize("Example.COM") == "example.com")
        #expect(HostName.normalize("example.com:8080") == "example.com")
        #expect(HostName.normalize("example.com.") == "example.com")
        #expect(HostName.normalize("[::1]:443") == "[::1]")
        #expect(HostName.normalize("[FE80::1]") == "[fe80::1]")
        #expect(HostName.normalize("Shop.Example.:8443") == "shop.example")
        #expect(HostName.normalize("caf\u{e9}.example:80") == "caf\u{e9}.example")
        #expect(HostName.normalize("") == "")
        #expect(HostName.normalize(":80") == "")
        #expect(HostName.normalize("...") == "")
        // A substring keeps to its own bounds.
        let header = "x Example.com:80 y"
        let inner = header.dropFirst(2).dropLast(2)
        #expect(HostName.normalize(inner) == "example.com")
        let plain = header.dropFirst(2).dropLast(5)
        #expect(HostName.normalize(plain) == "Example.com".lowercased())
    }

    @Test func replacingEndpointsKeepsRoutes() {
        let id = ClusterID(namespace: "test", service: "any", port: "80")
        let updated = Self.table.replacingEndpoints([id: [Endpoint(host: "10.0.0.1", port: 8080)]], generation: 8)
        #expect(updated.generation == 8)
        #expect(updated.endpoints[id] == [Endpoint(host: "10.0.0.1", port: 8080)])
        #expect(serviceName(updated.lookup(host: "a.example.com", path: "/")) == "exact-a")
    }

    /// A cluster's backend is the cluster with its endpoints, none when it has none, and
    /// follows an endpoint replacement; an unknown cluster (endpoints alone do not make one) has
    /// none.
    @Test func backendsPairClustersWithTheirEndpoints() {
        let ready = ClusterID(namespace: "test", service: "ready", port: "80")
        let idle = ClusterID(namespace: "test", service: "idle", port: "80")
        let stray = ClusterID(namespace: "test", service: "stray", port: "80")
        let endpoint = Endpoint(host: "10.0.0.1", port: 8080)
        let table = RouteTable(
            generation: 1,
            virtualHosts: [],
            clusters: [ready: Cluster(id: ready), idle: Cluster(id: idle, serviceExists: false)],
            endpoints: [ready: [endpoint], stray: [endpoint]]
        )
        #expect(table.backend(for: ready)?.cluster == Cluster(id: ready))
        #expect(table.backend(for: ready)?.endpoints == [endpoint])
        #expect(table.backend(for: idle)?.cluster.serviceExists == false)
        #expect(table.backend(for: idle)?.endpoints == [])
        #expect(table.backend(for: stray) == nil)
        let moved = Endpoint(host: "10.0.0.2", port: 8080)
        let updated = table.replacingEndpoints([idle: [moved]], generation: 2)
        #expect(updated.backend(for: ready)?.endpoints == [])
        #expect(updated.backend(for: idle)?.endpoints == [moved])
    }
}
