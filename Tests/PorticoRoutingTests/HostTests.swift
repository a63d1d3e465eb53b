import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Host validation (the Ingress v1 API's rules), normalisation and wildcards.
@Suite struct HostTests {
    static func ingress(_ name: String, host: String?, service: String = "web", created: Int? = nil) -> Resource {
        Fixture.ingress(
            name: name, rules: [Fixture.rule(host: host, paths: [Fixture.path("/", service: service, port: 80)])],
            created: created
        )
    }

    struct Invalid: Sendable, CustomStringConvertible {
        let host: String
        let message: String
        var description: String { host }
    }

    @Test(arguments: [
        Invalid(host: "Foo_Bar", message: #""Foo_Bar" is not a valid DNS name"#),
        Invalid(host: "Example.com", message: #""Example.com" is not a valid DNS name"#),
        Invalid(host: "example.com.", message: #""example.com." is not a valid DNS name"#),
        Invalid(host: "-a.example.com", message: #""-a.example.com" is not a valid DNS name"#),
        Invalid(host: "a-.example.com", message: #""a-.example.com" is not a valid DNS name"#),
        Invalid(host: "a..example.com", message: #""a..example.com" is not a valid DNS name"#),
        Invalid(host: String(repeating: "a", count: 64) + ".com", message: "\"\(String(repeating: "a", count: 64)).com\" is not a valid DNS name"),
        Invalid(host: "10.0.0.1", message: #""10.0.0.1" must be a DNS name, not an IP address"#),
        Invalid(host: "::1", message: #""::1" must be a DNS name, not an IP address"#),
        Invalid(host: "[::1]:80", message: #""[::1]:80" must be a DNS name, not an IP address"#),
        Invalid(host: "example.com:8080", message: #""example.com:8080" must not contain a port"#),
        Invalid(host: "*", message: #""*" is not a valid wildcard host: only a leading "*." label is allowed"#),
        Invalid(host: "a.*.com", message: #""a.*.com" is not a valid wildcard host: only a leading "*." label is allowed"#),
        Invalid(host: "*.*.example.com", message: #""*.*.example.com" is not a valid wildcard host: "*." must be followed by a DNS name"#),
        Invalid(host: "*.Example.com", message: #""*.Example.com" is not a valid wildcard host: "*." must be followed by a DNS name"#),
    ])
    func invalidHostRejectsTheIngressOnly(_ invalid: Invalid) {
        TranslationCase(
            "invalid host \(invalid.host)",
            [Self.ingress("bad", host: invalid.host, service: "other"), Self.ingress("good", host: "good.test"),
             Fixture.service(name: "web"), Fixture.service(name: "other")],
            lookups: [("good.test", "/", "default/web:80"), ("bad.test", "/", nil)],
            diagnostics: ["error: Ingress default/bad: spec.rules[0].host: \(invalid.message)"],
            rejected: ["Ingress default/bad"]
        ).check()
    }

    static let cases: [TranslationCase] = [
        TranslationCase(
            "exact host beats wildcard, wildcard matches one label",
            [Self.ingress("exact", host: "a.example.com", service: "exact"), Self.ingress("wild", host: "*.example.com", service: "wild"),
             Fixture.service(name: "exact"), Fixture.service(name: "wild")],
            lookups: [
                ("a.example.com", "/", "default/exact:80"),
                ("b.example.com", "/x", "default/wild:80"),
                ("example.com", "/", nil),
                ("a.b.example.com", "/", nil),
            ]
        ),
        TranslationCase(
            "host-less rules serve every host no other rule claims",
            [Self.ingress("any", host: nil, service: "any"), Self.ingress("named", host: "named.test", service: "named"),
             Fixture.service(name: "any"), Fixture.service(name: "named")],
            lookups: [
                ("named.test", "/", "default/named:80"),
                ("other.test", "/", "default/any:80"),
                ("example.com", "/a/b", "default/any:80"),
            ]
        ),
        TranslationCase(
            "an empty host is the same as no host",
            [Self.ingress("any", host: "", service: "any"), Fixture.service(name: "any")],
            lookups: [("whatever.test", "/", "default/any:80")]
        ),
        TranslationCase(
            "request hosts are normalised: case, port, trailing dot",
            [Self.ingress("web", host: "web.test"), Fixture.service(name: "web")],
            lookups: [
                ("WEB.Test", "/", "default/web:80"),
                ("web.test:8080", "/", "default/web:80"),
                ("web.test.", "/", "default/web:80"),
            ]
        ),
        TranslationCase(
            "Ingresses naming the same host merge into one virtual host",
            [
                Fixture.ingress(name: "a", rules: [Fixture.rule(host: "shop.test", paths: [Fixture.path("/cart", service: "cart", port: 80)])]),
                Fixture.ingress(name: "b", namespace: "team", rules: [Fixture.rule(host: "shop.test", paths: [Fixture.path("/search", service: "search", port: 80)])]),
                Fixture.service(name: "cart"), Fixture.service(name: "search", namespace: "team"),
            ],
            lookups: [
                ("shop.test", "/cart/1", "default/cart:80"),
                ("shop.test", "/search?q=x", "team/search:80"),
                ("shop.test", "/", nil),
            ]
        ),
    ]

    @Test(arguments: cases)
    func hosts(_ row: TranslationCase) {
        row.check()
    }

    @Test func mergedHostIsOneVirtualHost() {
        let result = Self.cases[4].check()
        #expect(result.table.virtualHosts.count == 1)
        #expect(result.table.virtualHosts.first?.routes.count == 2)
    }
}
