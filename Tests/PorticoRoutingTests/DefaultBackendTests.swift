import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// `spec.defaultBackend` as per-host fallback and table default, and the controller's default
/// backend Service.
@Suite struct DefaultBackendTests {
    static let services = ["web", "a-default", "b-default", "catchall", "other"].map { Fixture.service(name: $0) }

    static let cases: [TranslationCase] = [
        TranslationCase(
            "an Ingress default backend is the fallback of its hosts and the table default",
            [Fixture.ingress(
                name: "web",
                rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/app", service: "web", port: 80)])],
                defaultBackend: Fixture.backend(service: "a-default", port: 80)
            ), Fixture.ingress(name: "other", rules: [Fixture.rule(host: "other.test", paths: [Fixture.path("/only", type: "Exact", service: "other", port: 80)])])]
                + services,
            lookups: [
                ("web.test", "/app", "default/web:80"),
                ("web.test", "/elsewhere", "default/a-default:80"),
                ("other.test", "/only", "default/other:80"),
                ("other.test", "/not", "default/a-default:80"),  // through the table default
                ("unknown.test", "/", "default/a-default:80"),
            ]
        ),
        TranslationCase(
            "per-host fallbacks stay per host; the oldest is the table default",
            [
                Fixture.ingress(name: "a", rules: [Fixture.rule(host: "a.test", paths: [Fixture.path("/x", service: "web", port: 80)])],
                                defaultBackend: Fixture.backend(service: "a-default", port: 80), created: 1),
                Fixture.ingress(name: "b", rules: [Fixture.rule(host: "b.test", paths: [Fixture.path("/x", service: "web", port: 80)])],
                                defaultBackend: Fixture.backend(service: "b-default", port: 80), created: 2),
            ] + services,
            lookups: [
                ("a.test", "/y", "default/a-default:80"),
                ("b.test", "/y", "default/b-default:80"),
                ("c.test", "/", "default/a-default:80"),
            ],
            diagnostics: ["warning: Ingress default/b: spec.defaultBackend: the default backend for unmatched hosts is that of Ingress default/a, which takes precedence; this one serves only this Ingress's hosts"]
        ),
        TranslationCase(
            "two default backends on one host: the oldest wins there",
            [
                Fixture.ingress(name: "b", rules: [Fixture.rule(host: "shared.test", paths: [Fixture.path("/b", service: "web", port: 80)])],
                                defaultBackend: Fixture.backend(service: "b-default", port: 80), created: 2),
                Fixture.ingress(name: "a", rules: [Fixture.rule(host: "shared.test", paths: [Fixture.path("/a", service: "web", port: 80)])],
                                defaultBackend: Fixture.backend(service: "a-default", port: 80), created: 1),
            ] + services,
            lookups: [("shared.test", "/c", "default/a-default:80"), ("shared.test", "/b", "default/web:80")],
            diagnostics: [
                #"warning: Ingress default/b: spec.defaultBackend: host "shared.test" already falls back to the default backend of Ingress default/a, which takes precedence; this one is not used there"#,
                "warning: Ingress default/b: spec.defaultBackend: the default backend for unmatched hosts is that of Ingress default/a, which takes precedence; this one serves only this Ingress's hosts",
            ]
        ),
        TranslationCase(
            "a host-only rule gets the Ingress's default backend",
            [Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: nil)],
                             defaultBackend: Fixture.backend(service: "a-default", port: 80)),
             Fixture.ingress(name: "any", rules: [Fixture.rule(paths: [Fixture.path("/", service: "catchall", port: 80)])])] + services,
            lookups: [("web.test", "/anything", "default/a-default:80"), ("other.test", "/", "default/catchall:80")]
        ),
        TranslationCase(
            "the controller default backend serves when no Ingress has one (first port)",
            [Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/app", service: "web", port: 80)])]),
             Fixture.service(name: "fallback", namespace: "system", ports: [Fixture.servicePort(8080, name: "http"), Fixture.servicePort(9090)])]
                + services,
            options: TranslationOptions(defaultBackendService: NamespacedName(namespace: "system", name: "fallback")),
            lookups: [("web.test", "/app", "default/web:80"), ("web.test", "/x", "system/fallback:8080"), ("none.test", "/", "system/fallback:8080")]
        ),
        TranslationCase(
            "the controller default backend with a named port",
            [Fixture.service(name: "fallback", namespace: "system", ports: [Fixture.servicePort(8080, name: "http"), Fixture.servicePort(9090, name: "alt")])],
            options: TranslationOptions(defaultBackendService: NamespacedName(namespace: "system", name: "fallback"), defaultBackendPort: .name("alt")),
            lookups: [("none.test", "/", "system/fallback:alt")]
        ),
        TranslationCase(
            "a missing controller default Service is reported and answers 503",
            [],
            options: TranslationOptions(defaultBackendService: NamespacedName(namespace: "system", name: "fallback"), defaultBackendPort: .number(80)),
            lookups: [("none.test", "/", "system/fallback:80")],
            diagnostics: ["warning: Service system/fallback: the default backend Service does not exist; requests get 503"]
        ),
        TranslationCase(
            "a controller default port the Service lacks is reported",
            [Fixture.service(name: "fallback", namespace: "system")],
            options: TranslationOptions(defaultBackendService: NamespacedName(namespace: "system", name: "fallback"), defaultBackendPort: .number(81)),
            lookups: [("none.test", "/", "system/fallback:81")],
            diagnostics: [#"warning: Service system/fallback: spec.ports: the default backend Service has no port "81"; requests get 503"#]
        ),
        TranslationCase(
            "an Ingress default backend beats the controller's",
            [Fixture.ingress(name: "web", defaultBackend: Fixture.backend(service: "a-default", port: 80))] + services,
            options: TranslationOptions(defaultBackendService: NamespacedName(namespace: "system", name: "fallback")),
            lookups: [("none.test", "/", "default/a-default:80")]
        ),
        TranslationCase(
            "without any default backend unmatched requests get 404",
            [Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/app", service: "web", port: 80)])])] + services,
            lookups: [("web.test", "/x", nil), ("none.test", "/", nil)]
        ),
        TranslationCase(
            "an invalid default backend rejects the Ingress",
            [Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/app", service: "web", port: 80)])],
                             defaultBackend: Ingress.Backend(service: Ingress.ServiceBackend(name: "a-default")))] + services,
            lookups: [("web.test", "/app", nil)],
            diagnostics: ["error: Ingress default/web: spec.defaultBackend.service.port: a port number or name is required"],
            rejected: ["Ingress default/web"]
        ),
        TranslationCase(
            "a resource default backend is unsupported and ignored",
            [Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/app", service: "web", port: 80)])],
                             defaultBackend: Fixture.resourceBackend(kind: "Bucket", name: "b"))] + services,
            lookups: [("web.test", "/app", "default/web:80"), ("web.test", "/x", nil)],
            diagnostics: ["warning: Ingress default/web: spec.defaultBackend.resource: resource backends (Bucket b) are not supported; this backend is skipped"]
        ),
    ]

    @Test(arguments: cases)
    func defaultBackends(_ row: TranslationCase) {
        row.check()
    }

    @Test func controllerDefaultRouteSourceHasNoIngress() throws {
        let result = Self.cases[4].check()
        let route = try #require(result.table.defaultRoute)
        #expect(route.source == RouteSource(namespace: "system", ingress: "", service: "fallback"))
        #expect(result.table.clusters[ClusterID(namespace: "system", service: "fallback", port: "8080")]?.serviceExists == true)
    }
}
