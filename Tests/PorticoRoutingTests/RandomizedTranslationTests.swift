import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Random sets of valid, overlapping Ingresses against a naive model of the merge rules: every
/// (host, path match) goes to the oldest claim (creation time, then namespace/name, then rule and
/// path order), a request picks its host first (exact, one-label wildcard, host-less), then the
/// highest-precedence matching path. Each set is also translated in shuffled orders.
@Suite struct RandomizedTranslationTests {
    static let hosts: [String?] = [nil, "a.test", "b.test", "*.test", "x.a.test"]
    static let paths = ["/", "/api", "/api/", "/api/v1", "/static", "/a"]
    static let requestHosts = ["a.test", "b.test", "c.test", "x.a.test", "y.x.a.test", "test"]
    static let requestPaths = ["/", "/api", "/api/", "/api/v1/x", "/apix", "/static/a.css", "/a", "/ab", "/none"]

    struct Claim {
        let order: (String, String, String, Int, Int)  // created (or "~" when absent), namespace, name, rule, path
        let cluster: String
    }

    @Test(arguments: [UInt64(11), 12, 13, 14, 15])
    func translationAgreesWithNaiveModel(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<20 {
            var resources: [Resource] = []
            var claims: [HostMatch: [PathMatch: Claim]] = [:]
            for index in 0..<Int.random(in: 1...12, using: &rng) {
                let namespace = ["default", "team"].randomElement(using: &rng) ?? "default"
                let name = "ing\(index)"
                let created = Bool.random(using: &rng) ? nil : Int.random(in: 0...3, using: &rng)
                var rules: [Ingress.Rule] = []
                for ruleIndex in 0..<Int.random(in: 1...3, using: &rng) {
                    let host = Self.hosts.randomElement(using: &rng) ?? nil
                    var paths: [Ingress.Path] = []
                    for pathIndex in 0..<Int.random(in: 1...3, using: &rng) {
                        let path = Self.paths.randomElement(using: &rng) ?? "/"
                        let exact = Int.random(in: 0..<3, using: &rng) == 0
                        let service = "svc\(Int.random(in: 0..<4, using: &rng))"
                        paths.append(Fixture.path(path, type: exact ? "Exact" : "Prefix", service: service, port: 80))
                        let hostMatch: HostMatch = host.map { $0.hasPrefix("*.") ? .wildcard(String($0.dropFirst(2))) : .exact($0) } ?? .any
                        let match: PathMatch = exact ? .exact(path) : .prefix(written: path)
                        let claim = Claim(
                            order: (created.map { Fixture.timestamp(minutes: $0) } ?? "~", namespace, name, ruleIndex, pathIndex),
                            cluster: "\(namespace)/\(service):80"
                        )
                        if let existing = claims[hostMatch]?[match], existing.order < claim.order { continue }
                        claims[hostMatch, default: [:]][match] = claim
                    }
                    rules.append(Fixture.rule(host: host, paths: paths))
                }
                resources.append(Fixture.ingress(name: name, namespace: namespace, rules: rules, created: created))
            }
            for namespace in ["default", "team"] {
                for service in 0..<4 { resources.append(Fixture.service(name: "svc\(service)", namespace: namespace)) }
            }

            let objects = resources.map { SourcedResource($0, origin: .apiServer) }
            let result = translateInEveryOrder(objects, options: TranslationOptions())
            #expect(result.rejected.isEmpty)
            #expect(result.diagnostics.allSatisfy { $0.severity == .warning })
            for host in Self.requestHosts {
                for path in Self.requestPaths {
                    let expected = Self.expectedCluster(claims: claims, host: host, path: path)
                    #expect(clusterName(result.table.lookup(host: Substring(host), path: Substring(path))) == expected,
                            "seed \(seed) \(host)\(path)")
                }
            }
        }
    }

    static func expectedCluster(claims: [HostMatch: [PathMatch: Claim]], host: String, path: String) -> String? {
        let wildcard = host.firstIndex(of: ".").map { HostMatch.wildcard(String(host[host.index(after: $0)...])) }
        let chosen = claims[.exact(host)] ?? wildcard.flatMap { claims[$0] } ?? claims[.any]
        guard let routes = chosen else { return nil }
        return routes
            .filter { $0.key.matches(Substring(path)) }
            .max { $0.key.precedence < $1.key.precedence }?
            .value.cluster
    }
}
