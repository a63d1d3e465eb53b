import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Diagnostics name the object, its origin and the field; a bad Ingress is rejected whole
/// while every other Ingress keeps serving.
@Suite struct DiagnosticTests {
    @Test func fileOriginLeadsTheDescription() {
        let diagnostic = Diagnostic(
            severity: .error, object: ObjectKey(kind: .ingress, namespace: "default", name: "web"),
            origin: .file(path: "examples/web.yaml", line: 12), field: "spec.rules[0].host",
            message: #""Foo_Bar" is not a valid DNS name"#
        )
        #expect(diagnostic.description == #"examples/web.yaml:12: Ingress default/web: spec.rules[0].host: "Foo_Bar" is not a valid DNS name"#)
        let apiObject = Diagnostic(
            severity: .warning, object: ObjectKey(kind: .ingress, namespace: "default", name: "web"),
            origin: .apiServer, field: "", message: "whole object"
        )
        #expect(apiObject.description == "Ingress default/web: whole object")
    }

    @Test func badIngressFromAFileIsRejectedWhileTheOthersServe() {
        let objects = [
            Fixture.inFile("examples/web.yaml", line: 12, Fixture.ingress(name: "web", rules: [
                Fixture.rule(host: "web.test", paths: [Fixture.path("/", service: "web", port: 80)]),
                Fixture.rule(host: "api.test", paths: [
                    Fixture.path("/v1", service: "api", port: 8080),
                    Fixture.path("/v2", backend: Ingress.Backend(service: Ingress.ServiceBackend(name: "api"))),
                ]),
            ])),
            Fixture.inFile("examples/shop.yaml", line: 1, Fixture.ingress(name: "shop", namespace: "shop", rules: [
                Fixture.rule(host: "shop.test", paths: [Fixture.path("/", service: "cart", port: 80)]),
            ])),
            Fixture.inFile("examples/web.yaml", line: 40, Fixture.service(name: "web")),
            Fixture.inFile("examples/web.yaml", line: 52, Fixture.service(name: "api", ports: [Fixture.servicePort(8080)])),
        ]
        let result = TranslationCase(
            "file origins",
            sourced: objects,
            lookups: [("web.test", "/", nil), ("api.test", "/v1", nil), ("shop.test", "/", "shop/cart:80")],
            diagnostics: [
                "error: examples/web.yaml:12: Ingress default/web: spec.rules[1].http.paths[1].backend.service.port: a port number or name is required",
                "warning: examples/shop.yaml:1: Ingress shop/shop: spec.rules[0].http.paths[0].backend.service.name: Service shop/cart does not exist; requests get 503",
            ],
            rejected: ["Ingress default/web"]
        ).check()
        let error = result.diagnostics.first { $0.severity == .error }
        #expect(error?.object == ObjectKey(kind: .ingress, namespace: "default", name: "web"))
        #expect(error?.origin == .file(path: "examples/web.yaml", line: 12))
        #expect(error?.field == "spec.rules[1].http.paths[1].backend.service.port")
        #expect(result.ingresses.map(\.description) == ["default/web", "shop/shop"])
    }

    @Test func everyErrorOfARejectedIngressIsReported() {
        TranslationCase(
            "several errors",
            [Fixture.ingress(name: "web", rules: [
                Fixture.rule(host: "UPPER.test", paths: [Fixture.path("/", service: "web", port: 80)]),
                Fixture.rule(host: "ok.test", paths: [
                    Fixture.path("relative", service: "web", port: 80),
                    Fixture.path("/x", type: "Glob", service: "gone", port: 80),
                ]),
            ]), Fixture.service(name: "web")],
            lookups: [("ok.test", "/x", nil)],
            diagnostics: [
                #"error: Ingress default/web: spec.rules[0].host: "UPPER.test" is not a valid DNS name"#,
                #"error: Ingress default/web: spec.rules[1].http.paths[0].path: "relative" must be an absolute path (start with "/")"#,
                "warning: Ingress default/web: spec.rules[1].http.paths[1].backend.service.name: Service default/gone does not exist; requests get 503",
                #"error: Ingress default/web: spec.rules[1].http.paths[1].pathType: unsupported value "Glob": supported values: "Exact", "ImplementationSpecific", "Prefix""#,
            ],
            rejected: ["Ingress default/web"]
        ).check()
    }

    @Test func generationIsCarriedIntoTheTable() {
        let result = translate(ResourceSnapshot(Fixture.snapshot([])), options: TranslationOptions(), generation: 42)
        #expect(result.table.generation == 42)
        #expect(result.table.virtualHosts.isEmpty)
        #expect(result.diagnostics.isEmpty)
        #expect(result.table.lookup(host: "a.test", path: "/") == nil)
    }
}
