import PorticoRouteTable
import Testing

/// The indexed lookup of `VirtualHost` against a naive reference: filter the routes with
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
    func indexedLookupAgreesWithReference(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<500 {
            var seen: Set<PathMatch> = []
            var routes: [Route] = []
            for index in 0..<Int.random(in: 1...8, using: &rng) {
                let path = Self.randomPath(&rng)
                let match: PathMatch = Bool.random(using: &rng) ? .exact(path) : .prefix(written: path)
                if seen.insert(match).inserted { routes.append(testRoute(match, "r\(index)")) }
            }
            let host = VirtualHost(match: .any, routes: routes.shuffled(using: &rng))
            for _ in 0..<4 {
                let request = Self.randomPath(&rng)
                let expected = routes
                    .filter { $0.match.matches(Substring(request)) }
                    .max { $0.match.precedence < $1.match.precedence }
                let actual = host.route(forPath: Substring(request))
                #expect(actual?.match == expected?.match, "routes \(routes.map(\.match)) request \(request)")
            }
        }
    }
}
