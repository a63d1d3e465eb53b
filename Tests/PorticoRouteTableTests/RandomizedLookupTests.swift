import PorticoRouteTable
import Testing

/// The lookup of `VirtualHost`, scanned or indexed, against a naive reference: filter the routes with
/// `PathMatch.matches` and take the highest precedence. Paths come from a tiny alphabet so that
/// prefixes, near-misses (`/a` vs `/ab`), trailing and doubled slashes collide often.
@Suite struct RandomizedLookupTests {
    static let segments = ["a", "b", "ab", "aa", "a.b"]

    static func randomPath(_ rng: inout SplitMix64) -> String {
        var path = ""
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            path += Int.random(in: 0..<12, using: &rng) == 0 ? "//" : "/"
            path += segments.randomElement(using: &rng) ?? "a"
        }
        if path.isEmpty || Bool.random(using: &rng) && Int.random(in: 0..<3, using: &rng) == 0 { path += "/" }
        return path
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func lookupAgreesWithReference(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<500 {
            var seen: Set<PathMatch> = []
            var routes: [Route] = []
            // Either side of the switch from scanning to the maps.
            for index in 0..<Int.random(in: 1...(2 * VirtualHost.scannedRoutes + 2), using: &rng) {
                let path = Self.randomPath(&rng)
                let match: PathMatch = Bool.random(using: &rng) ? .exact(path) : .prefix(written: path)
                if seen.insert(match).inserted { routes.append(testRoute(match, "r\(index)")) }
            }
            let host = VirtualHost(match: .any, routes: routes.shuffled(using: &rng))
            for _ in 0..<4 {
                // Now and then a path that does not start with `/` (`*`, or a relative one),
                // which even the root prefix does not match.
                let request = Int.random(in: 0..<10, using: &rng) == 0 ? ["*", "a/b", "ab"].randomElement(using: &rng) ?? "*" : Self.randomPath(&rng)
                let expected = routes
                    .filter { $0.match.matches(Substring(request)) }
                    .max { $0.match.precedence < $1.match.precedence }
                let actual = host.route(forPath: Substring(request))
                #expect(actual?.match == expected?.match, "routes \(routes.map(\.match)) request \(request)")
            }
        }
    }

    /// Translation never hands a host two routes with one match, but if it did, the first in
    /// order wins whether the host is scanned or indexed.
    @Test(arguments: [0, VirtualHost.scannedRoutes])
    func ofTwoRoutesWithOneMatchTheFirstWins(otherRoutes: Int) {
        let others = (0..<otherRoutes).map { testRoute(.prefix(written: "/other\($0)"), "other\($0)") }
        for match in [PathMatch.exact("/a"), .prefix(written: "/a")] {
            let host = VirtualHost(match: .any, routes: others + [testRoute(match, "first"), testRoute(match, "second")])
            #expect(serviceName(host.route(forPath: "/a")) == "first", "\(match) with \(otherRoutes) other routes")
        }
    }
}
