import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Which Ingresses are ours: by `spec.ingressClassName`, by the older annotation, or as
/// class-less Ingresses when allowed. Others are ignored without a diagnostic.
@Suite struct IngressClassTests {
    static func web(_ className: String?, annotations: [String: String]? = nil) -> Resource {
        Fixture.ingress(
            name: "web", className: className, annotations: annotations,
            rules: [Fixture.rule(host: "web.test", paths: [Fixture.path("/", service: "web", port: 80)])]
        )
    }

    static let served = [("web.test", "/", Optional("default/web:80"))]
    static let ignored: [(String, String, String?)] = [("web.test", "/", nil)]

    static let cases: [TranslationCase] = [
        TranslationCase("class name is ours", [web("portico"), Fixture.service(name: "web")], lookups: served),
        TranslationCase(
            "class name is ours and the IngressClass names our controller",
            [web("portico"), Fixture.ingressClass(), Fixture.service(name: "web")], lookups: served
        ),
        TranslationCase(
            "class name is ours but the IngressClass belongs to another controller",
            [web("portico"), Fixture.ingressClass(controller: "k8s.io/ingress-nginx"), Fixture.service(name: "web")],
            lookups: ignored
        ),
        TranslationCase("other class is ignored silently", [web("nginx"), Fixture.service(name: "web")], lookups: ignored),
        TranslationCase(
            "old annotation names our class",
            [web(nil, annotations: ["kubernetes.io/ingress.class": "portico"]), Fixture.service(name: "web")],
            lookups: served
        ),
        TranslationCase(
            "old annotation names another class",
            [web(nil, annotations: ["kubernetes.io/ingress.class": "nginx"]), Fixture.service(name: "web")],
            lookups: ignored
        ),
        TranslationCase(
            "spec.ingressClassName takes precedence over the annotation",
            [web("nginx", annotations: ["kubernetes.io/ingress.class": "portico"]), Fixture.service(name: "web")],
            lookups: ignored
        ),
        TranslationCase("no class is ignored by default", [web(nil), Fixture.service(name: "web")], lookups: ignored),
        TranslationCase(
            "no class is served with watchIngressWithoutClass",
            [web(nil), Fixture.service(name: "web")],
            options: TranslationOptions(watchIngressWithoutClass: true), lookups: served
        ),
        TranslationCase(
            "no class is served when our IngressClass is the default class",
            [web(nil), Fixture.ingressClass(isDefault: true), Fixture.service(name: "web")], lookups: served
        ),
        TranslationCase(
            "another controller's default class does not make class-less Ingresses ours",
            [web(nil), Fixture.ingressClass(name: "nginx", controller: "k8s.io/ingress-nginx", isDefault: true),
             Fixture.service(name: "web")],
            lookups: ignored
        ),
        TranslationCase(
            "a configured class name",
            [web("edge"), Fixture.service(name: "web")],
            options: TranslationOptions(ingressClass: "edge"), lookups: served
        ),
        TranslationCase(
            "the default class name is not ours when another is configured",
            [web("portico"), Fixture.service(name: "web")],
            options: TranslationOptions(ingressClass: "edge"), lookups: ignored
        ),
    ]

    @Test(arguments: cases)
    func classFiltering(_ row: TranslationCase) {
        row.check()
    }

    @Test func ingressesListsOnlyOursIncludingRejected() {
        let result = TranslationCase(
            "list",
            [
                Fixture.ingress(name: "b", rules: [Fixture.rule(host: "b.test", paths: [Fixture.path(service: "web", port: 80)])]),
                Fixture.ingress(name: "a", namespace: "team", rules: [Fixture.rule(host: "BAD_HOST", paths: nil)]),
                Fixture.ingress(name: "other", className: "nginx"),
                Fixture.service(name: "web"),
            ],
            diagnostics: [#"error: Ingress team/a: spec.rules[0].host: "BAD_HOST" is not a valid DNS name"#],
            rejected: ["Ingress team/a"]
        ).check()
        #expect(result.ingresses == [
            NamespacedName(namespace: "default", name: "b"), NamespacedName(namespace: "team", name: "a"),
        ])
    }
}
