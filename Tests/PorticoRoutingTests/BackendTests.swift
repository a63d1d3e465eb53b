import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Service backends by port number and name, missing Services and ports, resource backends,
/// and badly shaped backends.
@Suite struct BackendTests {
    static func ingress(_ name: String, _ paths: [Ingress.Path]) -> Resource {
        Fixture.ingress(name: name, rules: [Fixture.rule(host: "web.test", paths: paths)])
    }

    static let web = Fixture.service(name: "web", ports: [Fixture.servicePort(80, name: "http"), Fixture.servicePort(9090, name: "metrics")])

    static let cases: [TranslationCase] = [
        TranslationCase(
            "port by number and by name",
            [ingress("web", [Fixture.path("/n", service: "web", port: 80), Fixture.path("/m", service: "web", port: "metrics")]), web],
            lookups: [("web.test", "/n", "default/web:80"), ("web.test", "/m", "default/web:metrics")]
        ),
        TranslationCase(
            "missing Service: warning, route still answers (503)",
            [ingress("web", [Fixture.path("/", service: "gone", port: 80)])],
            lookups: [("web.test", "/", "default/gone:80")],
            diagnostics: ["warning: Ingress default/web: spec.rules[0].http.paths[0].backend.service.name: Service default/gone does not exist; requests get 503"]
        ),
        TranslationCase(
            "missing Service of the default backend: warning, it still answers (503)",
            [Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/", service: "web", port: 80)])],
                             defaultBackend: Fixture.backend(service: "gone", port: 80)), web],
            lookups: [("web.test", "/", "default/web:80"), ("other.test", "/", "default/gone:80")],
            diagnostics: ["warning: Ingress default/web: spec.defaultBackend.service.name: Service default/gone does not exist; requests get 503"]
        ),
        TranslationCase(
            "a path that fails validation still has its Service looked up",
            [ingress("web", [Fixture.path("/ok", service: "web", port: 80), Fixture.path("no-slash", service: "gone", port: 80)]), web],
            lookups: [("web.test", "/ok", nil)],
            diagnostics: [
                "warning: Ingress default/web: spec.rules[0].http.paths[1].backend.service.name: Service default/gone does not exist; requests get 503",
                #"error: Ingress default/web: spec.rules[0].http.paths[1].path: "no-slash" must be an absolute path (start with "/")"#,
            ],
            rejected: ["Ingress default/web"]
        ),
        TranslationCase(
            "port number not on the Service",
            [ingress("web", [Fixture.path("/", service: "web", port: 8080)]), web],
            lookups: [("web.test", "/", "default/web:8080")],
            diagnostics: ["warning: Ingress default/web: spec.rules[0].http.paths[0].backend.service.port: Service default/web has no port 8080; requests get 503"]
        ),
        TranslationCase(
            "a port name spelled like a number is looked up as a name, after the number was found",
            [ingress("web", [Fixture.path("/", service: "web", port: 80), Fixture.path("/b", service: "web", port: "80")]), web],
            lookups: [("web.test", "/", "default/web:80"), ("web.test", "/b", "default/web:80")],
            diagnostics: [#"warning: Ingress default/web: spec.rules[0].http.paths[1].backend.service.port: Service default/web has no port named "80"; requests get 503"#]
        ),
        TranslationCase(
            "port name not on the Service",
            [ingress("web", [Fixture.path("/", service: "web", port: "grpc")]), web],
            lookups: [("web.test", "/", "default/web:grpc")],
            diagnostics: [#"warning: Ingress default/web: spec.rules[0].http.paths[0].backend.service.port: Service default/web has no port named "grpc"; requests get 503"#]
        ),
        TranslationCase(
            "resource backend: warning, that path skipped, the rest kept",
            [ingress("web", [
                Fixture.path("/static", backend: Fixture.resourceBackend(kind: "StorageBucket", name: "assets", apiGroup: "k8s.example.com")),
                Fixture.path("/", service: "web", port: 80),
            ]), web],
            lookups: [("web.test", "/static/a.css", "default/web:80"), ("web.test", "/", "default/web:80")],
            diagnostics: ["warning: Ingress default/web: spec.rules[0].http.paths[0].backend.resource: resource backends (k8s.example.com/StorageBucket assets) are not supported; this backend is skipped"]
        ),
    ]

    @Test(arguments: cases)
    func backends(_ row: TranslationCase) {
        row.check()
    }

    struct Invalid: Sendable, CustomStringConvertible {
        let name: String
        let backend: Ingress.Backend
        let field: String
        let message: String
        var description: String { name }
    }

    @Test(arguments: [
        Invalid(name: "no port", backend: Ingress.Backend(service: Ingress.ServiceBackend(name: "web")),
                field: "backend.service.port", message: "a port number or name is required"),
        Invalid(name: "empty port", backend: Ingress.Backend(service: Ingress.ServiceBackend(name: "web", port: Ingress.ServiceBackendPort())),
                field: "backend.service.port", message: "a port number or name is required"),
        Invalid(name: "number and name",
                backend: Ingress.Backend(service: Ingress.ServiceBackend(name: "web", port: Ingress.ServiceBackendPort(name: "http", number: 80))),
                field: "backend.service.port", message: "only one of port number and port name may be set"),
        Invalid(name: "port out of range",
                backend: Ingress.Backend(service: Ingress.ServiceBackend(name: "web", port: Ingress.ServiceBackendPort(number: 70000))),
                field: "backend.service.port.number", message: "port 70000 is out of range 1-65535"),
        Invalid(name: "no service name",
                backend: Ingress.Backend(service: Ingress.ServiceBackend(name: "", port: Ingress.ServiceBackendPort(number: 80))),
                field: "backend.service.name", message: "service name is required"),
        Invalid(name: "neither service nor resource", backend: Ingress.Backend(),
                field: "backend", message: "a backend needs service.name and service.port"),
        Invalid(name: "both service and resource",
                backend: Ingress.Backend(
                    service: Ingress.ServiceBackend(name: "web", port: Ingress.ServiceBackendPort(number: 80)),
                    resource: Ingress.TypedLocalObjectReference(kind: "Bucket", name: "b")
                ),
                field: "backend", message: "service and resource are mutually exclusive"),
    ])
    func badBackendShapeRejectsTheIngress(_ invalid: Invalid) {
        TranslationCase(
            invalid.name,
            [
                Fixture.ingress(name: "bad", rules: [Fixture.rule(host: "bad.test", paths: [
                    Fixture.path("/ok", service: "web", port: 80),
                    Fixture.path("/", backend: invalid.backend),
                ])]),
                Fixture.ingress(name: "good", rules: [Fixture.rule(host: "good.test", paths: [Fixture.path(service: "web", port: 80)])]),
                Self.web,
            ],
            lookups: [("bad.test", "/ok", nil), ("good.test", "/", "default/web:80")],
            diagnostics: ["error: Ingress default/bad: spec.rules[0].http.paths[1].\(invalid.field): \(invalid.message)"],
            rejected: ["Ingress default/bad"]
        ).check()
    }

    @Test func clustersListEveryReferencedClusterWithServiceExistence() {
        let result = TranslationCase(
            "clusters",
            [Self.ingress("web", [Fixture.path("/a", service: "web", port: 80), Fixture.path("/b", service: "gone", port: 80),
                             Fixture.path("/c", service: "web", port: "http")]), Self.web],
            lookups: [("web.test", "/b", "default/gone:80")],
            diagnostics: ["warning: Ingress default/web: spec.rules[0].http.paths[1].backend.service.name: Service default/gone does not exist; requests get 503"]
        ).check()
        let clusters = result.table.clusters
        #expect(clusters.keys.sorted().map(\.description) == ["default/gone:80", "default/web:80", "default/web:http"])
        #expect(clusters[ClusterID(namespace: "default", service: "gone", port: "80")]?.serviceExists == false)
        #expect(clusters[ClusterID(namespace: "default", service: "web", port: "80")]?.serviceExists == true)
        #expect(result.table.endpoints[ClusterID(namespace: "default", service: "gone", port: "80")] == [])
    }

    @Test func routeSourceNamesIngressAndService() throws {
        let result = TranslationCase(
            "source",
            [Fixture.ingress(name: "shop", namespace: "team", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path(service: "web", port: 80)])]),
             Fixture.service(name: "web", namespace: "team")],
            lookups: [("web.test", "/", "team/web:80")]
        ).check()
        let route = try #require(result.table.lookup(host: "web.test", path: "/"))
        #expect(route.source == RouteSource(namespace: "team", ingress: "shop", service: "web"))
    }
}
