import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// The controller ConfigMap (`--configmap`) sets the redirect and HSTS defaults of every host;
/// a per-Ingress annotation wins over it, and bad values, unknown keys and a missing ConfigMap
/// are reported against the ConfigMap while the rest still applies.
@Suite struct ControllerConfigMapTests {
    static let name = NamespacedName(namespace: "portico", name: "settings")
    static let options = TranslationOptions(controllerConfigMap: name)

    static func settings(_ data: [String: String]) -> Resource {
        .configMap(ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "portico"), data: data))
    }

    /// One Ingress serving `tls.test` with TLS and `plain.test` without, plus its Secret.
    static func objects(annotations: [String: String]? = nil) -> [Resource] {
        [
            TLSTests.web(
                hosts: ["tls.test", "plain.test"], tls: [Ingress.TLS(hosts: ["tls.test"], secretName: "cert")],
                annotations: annotations
            ),
            Fixture.service(name: "web"),
            Fixture.tlsSecret(name: "cert", certificate: TLSTests.certificate, key: TLSTests.key),
        ]
    }

    struct Row: Sendable, CustomStringConvertible {
        let name: String
        let data: [String: String]?
        var annotations: [String: String]? = nil
        let tls: HostSecurity
        let plain: HostSecurity
        var diagnostics: [String] = []

        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "empty ConfigMap: built-in defaults", data: [:], tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: .plain),
        Row(name: "ssl-redirect on", data: ["ssl-redirect": "true"], tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: .plain),
        Row(name: "ssl-redirect off", data: ["ssl-redirect": "false"], tls: HostSecurity(redirectToHTTPS: false, hsts: true), plain: .plain),
        Row(
            name: "ssl-redirect off, annotation turns it back on", data: ["ssl-redirect": "False"],
            annotations: ["portico.dev/ssl-redirect": "true"], tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: .plain
        ),
        Row(
            name: "ssl-redirect on, annotation turns it off", data: ["ssl-redirect": "true"],
            annotations: ["portico.dev/ssl-redirect": "false"], tls: HostSecurity(redirectToHTTPS: false, hsts: true), plain: .plain
        ),
        Row(
            name: "force-ssl-redirect on", data: ["force-ssl-redirect": "TRUE"],
            tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: HostSecurity(redirectToHTTPS: true, hsts: false)
        ),
        Row(name: "force-ssl-redirect off", data: ["force-ssl-redirect": "false"], tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: .plain),
        Row(
            name: "force-ssl-redirect on, annotation turns it off", data: ["force-ssl-redirect": "true", "ssl-redirect": "false"],
            annotations: ["portico.dev/force-ssl-redirect": "false"], tls: HostSecurity(redirectToHTTPS: false, hsts: true), plain: .plain
        ),
        Row(
            name: "force-ssl-redirect off, annotation turns it on", data: ["force-ssl-redirect": "false"],
            annotations: ["portico.dev/force-ssl-redirect": "true"],
            tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: HostSecurity(redirectToHTTPS: true, hsts: false)
        ),
        Row(name: "hsts off", data: ["hsts": "false"], tls: HostSecurity(redirectToHTTPS: true, hsts: false), plain: .plain),
        Row(name: "hsts on", data: ["hsts": "true"], tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: .plain),
        Row(
            name: "bad values keep the defaults, the good key still applies",
            data: ["ssl-redirect": "no", "force-ssl-redirect": "1", "hsts": "false"],
            tls: HostSecurity(redirectToHTTPS: true, hsts: false), plain: .plain,
            diagnostics: [
                #"warning: ConfigMap portico/settings: data[force-ssl-redirect]: "1" is not "true" or "false"; the default false applies"#,
                #"warning: ConfigMap portico/settings: data[ssl-redirect]: "no" is not "true" or "false"; the default true applies"#,
            ]
        ),
        Row(
            name: "unknown keys and proxy-level HSTS keys are reported, the rest applies",
            data: ["ssl-redirect": "false", "proxy-body-size": "8m", "hsts-max-age": "60"],
            tls: HostSecurity(redirectToHTTPS: false, hsts: true), plain: .plain,
            diagnostics: [
                #"warning: ConfigMap portico/settings: data[hsts-max-age]: "60" is ignored: Portico sets this with the --hsts-max-age flag"#,
                #"warning: ConfigMap portico/settings: data[proxy-body-size]: "8m" is ignored: Portico has no setting "proxy-body-size""#,
            ]
        ),
        Row(
            name: "missing ConfigMap: a warning, and the defaults apply", data: nil,
            tls: HostSecurity(redirectToHTTPS: true, hsts: true), plain: .plain,
            diagnostics: [
                "warning: ConfigMap portico/settings: does not exist, so the built-in defaults apply (--configmap)"
            ]
        ),
    ]

    @Test(arguments: rows)
    func settingsApplyBelowAnnotations(_ row: Row) throws {
        var resources = Self.objects(annotations: row.annotations)
        if let data = row.data { resources.append(Self.settings(data)) }
        let result = TranslationCase(row.name, resources, options: Self.options, diagnostics: row.diagnostics).check()
        #expect(TLSTests.security(result, "tls.test") == row.tls, "\(row.name)")
        #expect(TLSTests.security(result, "plain.test") == row.plain, "\(row.name)")
        #expect(result.table.lookup(host: "tls.test", path: "/")?.source.ingress == "web", "\(row.name): routes still compile")
    }

    @Test func withoutTheOptionAConfigMapOfThatNameIsNotRead() {
        let result = TranslationCase(
            "not named by --configmap", Self.objects() + [Self.settings(["ssl-redirect": "false", "bogus": "x"])]
        ).check()
        #expect(TLSTests.security(result, "tls.test") == HostSecurity(redirectToHTTPS: true, hsts: true))
    }

    @Test func aManifestConfigMapIsNamedByFileAndLine() {
        let sourced = Self.objects().map { SourcedResource($0, origin: .apiServer) }
            + [Fixture.inFile("settings.yaml", line: 3, Self.settings(["ssl-redirect": "maybe"]))]
        TranslationCase(
            "file origin", sourced: sourced, options: Self.options,
            diagnostics: [
                #"warning: settings.yaml:3: ConfigMap portico/settings: data[ssl-redirect]: "maybe" is not "true" or "false"; the default true applies"#
            ]
        ).check()
    }
}
