import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Path types and path validation.
@Suite struct PathTests {
    static func ingress(_ name: String, paths: [Ingress.Path], host: String = "web.test") -> Resource {
        Fixture.ingress(name: name, rules: [Fixture.rule(host: host, paths: paths)])
    }

    static let services = [Fixture.service(name: "a"), Fixture.service(name: "b"), Fixture.service(name: "c")]

    static let cases: [TranslationCase] = [
        TranslationCase(
            "Exact, Prefix and ImplementationSpecific",
            [Self.ingress("web", paths: [
                Fixture.path("/exact", type: "Exact", service: "a", port: 80),
                Fixture.path("/prefix/", type: "Prefix", service: "b", port: 80),
                Fixture.path("/impl", type: "ImplementationSpecific", service: "c", port: 80),
            ])] + services,
            lookups: [
                ("web.test", "/exact", "default/a:80"),
                ("web.test", "/exact/", nil),
                ("web.test", "/prefix", "default/b:80"),
                ("web.test", "/prefix/x", "default/b:80"),
                ("web.test", "/prefixx", nil),
                ("web.test", "/impl/deep/path", "default/c:80"),
                ("web.test", "/implx", nil),
            ]
        ),
        TranslationCase(
            "ImplementationSpecific without a path serves everything",
            [Self.ingress("web", paths: [Fixture.path(nil, type: "ImplementationSpecific", service: "a", port: 80)])] + services,
            lookups: [("web.test", "/", "default/a:80"), ("web.test", "/any/thing", "default/a:80")]
        ),
        TranslationCase(
            "a rule with a host and no http contributes nothing",
            [Fixture.ingress(name: "web", rules: [
                Fixture.rule(host: "empty.test", paths: nil),
                Fixture.rule(paths: [Fixture.path("/", service: "a", port: 80)]),
            ])] + services,
            lookups: [("empty.test", "/", "default/a:80"), ("other.test", "/", "default/a:80")]
        ),
    ]

    @Test(arguments: cases)
    func pathTypes(_ row: TranslationCase) {
        row.check()
    }

    struct Invalid: Sendable, CustomStringConvertible {
        let path: String?
        let type: String?
        let field: String
        let message: String
        var description: String { "\(type ?? "nil") \(path ?? "nil")" }
    }

    @Test(arguments: [
        Invalid(path: "/x", type: nil, field: "pathType",
                message: #"pathType is required (one of "Exact", "ImplementationSpecific", "Prefix")"#),
        Invalid(path: "/x", type: "Regex", field: "pathType",
                message: #"unsupported value "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix""#),
        Invalid(path: "x", type: "Prefix", field: "path", message: #""x" must be an absolute path (start with "/")"#),
        Invalid(path: nil, type: "Exact", field: "path", message: #""" must be an absolute path (start with "/")"#),
        Invalid(path: "x", type: "ImplementationSpecific", field: "path", message: #""x" must be an absolute path (start with "/")"#),
        Invalid(path: "/a//b", type: "Prefix", field: "path", message: #""/a//b" must not contain "//""#),
        Invalid(path: "/a/../b", type: "Exact", field: "path", message: #""/a/../b" must not contain "/../""#),
        Invalid(path: "/a%2Fb", type: "Prefix", field: "path", message: #""/a%2Fb" must not contain "%2F""#),
        Invalid(path: "/a/.", type: "Prefix", field: "path", message: #""/a/." must not end with "/.""#),
    ])
    func invalidPathRejectsTheWholeIngress(_ invalid: Invalid) {
        TranslationCase(
            "invalid path",
            [Self.ingress("bad", paths: [
                Fixture.path("/fine", service: "a", port: 80),
                Fixture.path(invalid.path, type: invalid.type, service: "b", port: 80),
            ]),
             Self.ingress("good", paths: [Fixture.path("/", service: "c", port: 80)], host: "good.test")] + Self.services,
            lookups: [("web.test", "/fine", nil), ("good.test", "/", "default/c:80")],
            diagnostics: ["error: Ingress default/bad: spec.rules[0].http.paths[1].\(invalid.field): \(invalid.message)"],
            rejected: ["Ingress default/bad"]
        ).check()
    }

    @Test func compiledMatchesAreTheNormalisedOnes() throws {
        let result = Self.cases[0].check()
        let host = try #require(result.table.virtualHosts.first)
        #expect(host.match == .exact("web.test"))
        #expect(Set(host.routes.map(\.match)) == [.exact("/exact"), .prefix("/prefix"), .prefix("/impl")])
    }
}
