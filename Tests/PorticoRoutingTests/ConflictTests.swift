import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Two claims on one host + path: the oldest Ingress wins (then namespace/name), the loser is
/// reported naming the winner, and the answer never depends on which arrived first.
@Suite struct ConflictTests {
    static func ingress(_ name: String, namespace: String = "default", path: String = "/api", type: String = "Prefix",
                        service: String, created: Int?) -> Resource {
        Fixture.ingress(
            name: name, namespace: namespace,
            rules: [Fixture.rule(host: "shop.test", paths: [Fixture.path(path, type: type, service: service, port: 80)])],
            created: created
        )
    }

    static let services = [Fixture.service(name: "old"), Fixture.service(name: "new"), Fixture.service(name: "old", namespace: "z"),
                           Fixture.service(name: "new", namespace: "a")]

    static func loserMessage(
        _ loser: String, winner: String, match: String = #"Prefix "/api""#, loserPath: Int = 0, winnerPath: Int = 0
    ) -> String {
        "warning: Ingress \(loser): spec.rules[0].http.paths[\(loserPath)]: \(match) on host \"shop.test\" is already served by "
            + "Ingress \(winner) (spec.rules[0].http.paths[\(winnerPath)]), which takes precedence; this path is ignored"
    }

    static let cases: [TranslationCase] = [
        TranslationCase(
            "older wins (older named later)",
            [Self.ingress("b-old", service: "old", created: 1), Self.ingress("a-new", service: "new", created: 2)] + services,
            lookups: [("shop.test", "/api", "default/old:80")],
            diagnostics: [loserMessage("default/a-new", winner: "default/b-old")]
        ),
        TranslationCase(
            "older wins (older named first)",
            [Self.ingress("a-old", service: "old", created: 1), Self.ingress("b-new", service: "new", created: 2)] + services,
            lookups: [("shop.test", "/api", "default/old:80")],
            diagnostics: [loserMessage("default/b-new", winner: "default/a-old")]
        ),
        TranslationCase(
            "same age: namespace/name decides",
            [Self.ingress("x", namespace: "z", service: "old", created: 1), Self.ingress("x", namespace: "a", service: "new", created: 1)] + services,
            lookups: [("shop.test", "/api", "a/new:80")],
            diagnostics: [loserMessage("z/x", winner: "a/x")]
        ),
        TranslationCase(
            "absent creationTimestamp sorts last",
            [Self.ingress("a-undated", service: "new", created: nil), Self.ingress("b-dated", service: "old", created: 5)] + services,
            lookups: [("shop.test", "/api", "default/old:80")],
            diagnostics: [loserMessage("default/a-undated", winner: "default/b-dated")]
        ),
        TranslationCase(
            "Prefix /api and /api/ are the same match",
            [Self.ingress("old", path: "/api/", service: "old", created: 1), Self.ingress("new", path: "/api", service: "new", created: 2)] + services,
            lookups: [("shop.test", "/api/x", "default/old:80")],
            diagnostics: [loserMessage("default/new", winner: "default/old")]
        ),
        TranslationCase(
            "Exact and Prefix on one path do not conflict",
            [Self.ingress("old", type: "Exact", service: "old", created: 1), Self.ingress("new", service: "new", created: 2)] + services,
            lookups: [("shop.test", "/api", "default/old:80"), ("shop.test", "/api/x", "default/new:80")]
        ),
        TranslationCase(
            "a conflict inside one Ingress: the first path wins",
            [Fixture.ingress(name: "dup", rules: [
                Fixture.rule(host: "shop.test", paths: [Fixture.path("/api", service: "old", port: 80)]),
                Fixture.rule(host: "shop.test", paths: [Fixture.path("/api/", service: "new", port: 80)]),
            ])] + services,
            lookups: [("shop.test", "/api", "default/old:80")],
            diagnostics: [#"warning: Ingress default/dup: spec.rules[1].http.paths[0]: Prefix "/api" on host "shop.test" is already served by this Ingress (spec.rules[0].http.paths[0]), which takes precedence; this path is ignored"#]
        ),
        TranslationCase(
            "a rejected older Ingress does not win",
            [Fixture.ingress(name: "old", rules: [
                Fixture.rule(host: "shop.test", paths: [Fixture.path("/api", service: "old", port: 80)]),
                Fixture.rule(host: "Bad_Host", paths: nil),
            ], created: 1),
             ingress("new", service: "new", created: 2)] + services,
            lookups: [("shop.test", "/api", "default/new:80")],
            diagnostics: [#"error: Ingress default/old: spec.rules[1].host: "Bad_Host" is not a valid DNS name"#],
            rejected: ["Ingress default/old"]
        ),
    ]

    @Test(arguments: cases)
    func conflicts(_ row: TranslationCase) {
        row.check()
    }

    /// A host's first claims are found by a scan, later ones through an index built once the
    /// scan would be long (past 8 claims): conflicts are found on both sides of that switch,
    /// including on a path claimed after the index was built.
    @Test(arguments: [3, 8, 12])
    func conflictsOnHostsWithManyPaths(pathCount: Int) {
        let last = pathCount - 1
        let older = Fixture.ingress(
            name: "old",
            rules: [Fixture.rule(host: "shop.test", paths: (0..<pathCount).map { Fixture.path("/p\($0)", service: "old", port: 80) })],
            created: 1
        )
        let newer = Fixture.ingress(
            name: "new",
            rules: [Fixture.rule(host: "shop.test", paths: ["/p0", "/p\(last)", "/mine"].map { Fixture.path($0, service: "new", port: 80) })],
            created: 2
        )
        TranslationCase(
            "\(pathCount) paths",
            [older, newer] + Self.services,
            lookups: [("shop.test", "/p0", "default/old:80"), ("shop.test", "/p\(last)/x", "default/old:80"),
                      ("shop.test", "/mine", "default/new:80")],
            diagnostics: [
                Self.loserMessage("default/new", winner: "default/old", match: #"Prefix "/p0""#),
                Self.loserMessage("default/new", winner: "default/old", match: #"Prefix "/p\#(last)""#, loserPath: 1, winnerPath: last),
            ]
        ).check()
    }

    /// Swapping which Ingress is older swaps the winner: age decides, not names or input order.
    @Test(arguments: [true, false])
    func ageDecidesBothWays(aIsOlder: Bool) {
        let (ageA, ageB) = aIsOlder ? (1, 2) : (2, 1)
        TranslationCase(
            "age",
            [Self.ingress("a", service: "a", created: ageA), Self.ingress("b", service: "b", created: ageB),
             Fixture.service(name: "a"), Fixture.service(name: "b")],
            lookups: [("shop.test", "/api", aIsOlder ? "default/a:80" : "default/b:80")],
            diagnostics: [aIsOlder ? Self.loserMessage("default/b", winner: "default/a") : Self.loserMessage("default/a", winner: "default/b")]
        ).check()
    }
}
