import PorticoRouteTable

/// A route whose cluster is named after `name`, so a lookup's answer says which route won.
func testRoute(_ match: PathMatch, _ name: String) -> Route {
    Route(
        match: match,
        backend: .cluster(ClusterID(namespace: "test", service: name, port: "80")),
        source: RouteSource(namespace: "test", ingress: "ingress", service: name)
    )
}

/// The service name of a route's cluster, or nil: what tables compare against.
func serviceName(_ route: Route?) -> String? {
    guard let route else { return nil }
    switch route.backend {
    case .cluster(let id): return id.service
    }
}

/// SplitMix64: a tiny seeded generator so randomized tests replay exactly. (PorticoTestSupport
/// has the same one; this target stays free of it, as the route table is free of NIO.)
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
