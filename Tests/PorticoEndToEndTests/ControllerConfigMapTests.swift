import PorticoModel
import PorticoRouting
import PorticoTestSupport
import Testing

/// The controller ConfigMap in local mode: it is a file of the manifest folder, and editing it
/// changes every host's redirect without a restart.
@Suite("Controller ConfigMap end to end")
struct ControllerConfigMapEndToEndTests {
    static func settings(sslRedirect: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: portico-settings, namespace: portico}
        data:
          ssl-redirect: "\(sslRedirect)"

        """
    }

    @Test func editingTheConfigMapFlipsThePlainHTTPRedirect() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "secure", dnsNames: ["secure.test"])
        let files = [
            "services.yaml": ManifestYAML.service("web", port: web.port),
            "ingress.yaml": LocalModeTLSTests.ingress,
            "secret.yaml": LocalModeTLSTests.secret("secure-tls", leaf),
            "settings.yaml": Self.settings(sslRedirect: "true"),
        ]
        let options = TranslationOptions(controllerConfigMap: NamespacedName(namespace: "portico", name: "portico-settings"))
        try await PorticoHarness.run(files: files, translation: options) { portico in
            let redirected = try await portico.get(host: "secure.test", path: "/")
            #expect(redirected.status == 308)
            #expect(redirected.header("location") == "https://secure.test/")

            try portico.write("settings.yaml", Self.settings(sslRedirect: "false"))
            try await portico.waitUntil("plain HTTP is served") {
                try await portico.get(host: "secure.test", path: "/").status == 200
            }
            #expect(try await portico.get(host: "secure.test", path: "/").header("x-stub-name") == "web")

            try portico.write("settings.yaml", Self.settings(sslRedirect: "true"))
            try await portico.waitUntil("plain HTTP redirects again") {
                try await portico.get(host: "secure.test", path: "/").status == 308
            }
        }
        try await web.close()
    }

    @Test func checkReadsTheConfigMapAndNamesABadKeyAndValue() async throws {
        let folder = try TemporaryFolder(prefix: "portico-cli", files: [
            "svc.yaml": ManifestYAML.service("web", port: 9),
            "ing.yaml": ManifestYAML.ingress("good", rules: [("good.test", "/", "web")]),
            "settings.yaml": Self.settings(sslRedirect: "sometimes"),
        ])
        defer { folder.remove() }
        let result = try await CommandLineTests.run(["check", "--configmap", "portico/portico-settings", folder.path])
        #expect(result.status == 0)
        #expect(result.output.contains(
            #"settings.yaml:1: ConfigMap portico/portico-settings: data[ssl-redirect]: "sometimes" is not "true" or "false""#
        ))
        let unnamed = try await CommandLineTests.run(["check", folder.path])
        #expect(!unnamed.output.contains("portico-settings"))
    }

    @Test func aConfigMapFlagWithoutNamespaceIsRefused() async throws {
        let result = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--configmap", "settings"])
        #expect(result.status != 0)
        #expect(result.output.contains(#"--configmap takes namespace/name, not "settings"."#))
    }
}
