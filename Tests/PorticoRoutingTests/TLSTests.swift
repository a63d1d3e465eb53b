import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// TLS sections become certificates by SNI name plus redirect and HSTS flags; what can be seen
/// without crypto (missing Secret, wrong type, missing keys) is reported and never rejects the
/// Ingress.
@Suite struct TLSTests {
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

    static func web(
        name: String = "web",
        hosts: [String] = ["a.test"],
        tls: [Ingress.TLS]?,
        annotations: [String: String]? = nil,
        created: Int = 0
    ) -> Resource {
        Fixture.ingress(
            name: name,
            annotations: annotations,
            rules: hosts.map { Fixture.rule(host: $0, paths: [Fixture.path("/", service: "web", port: 80)]) },
            tls: tls,
            created: created
        )
    }

    static func security(_ result: TranslationResult, _ host: String) -> HostSecurity? {
        result.table.virtualHosts.first { $0.match.description == host }?.security
    }

    @Test func tlsSectionsBecomeCertificatesPerSecret() throws {
        let result = TranslationCase(
            "two secrets",
            [
                Self.web(hosts: ["a.test", "b.test", "c.wild.test"], tls: [
                    Ingress.TLS(hosts: ["a.test", "b.test"], secretName: "ab"),
                    Ingress.TLS(hosts: ["*.wild.test", "tls-only.test"], secretName: "wild"),
                ]),
                Fixture.service(name: "web"),
                Fixture.tlsSecret(name: "ab", certificate: Self.certificate, key: Self.key),
                Fixture.tlsSecret(name: "wild", certificate: Self.certificate, key: Self.key),
            ],
            lookups: [("a.test", "/", "default/web:80")]
        ).check()
        #expect(result.table.certificates.map(\.secret) == ["default/ab", "default/wild"])
        #expect(result.table.certificates.map(\.hosts) == [["a.test", "b.test"], ["*.wild.test", "tls-only.test"]])
        let material = try #require(result.table.certificates.first?.material)
        #expect(material.certificateChain == Array(Self.certificate.utf8))
        #expect(material.privateKey == Array(Self.key.utf8))
        #expect(result.table.defaultCertificate == nil)
        #expect(Self.security(result, "a.test") == HostSecurity(redirectToHTTPS: true, hsts: true))
        // Covered by the wildcard TLS host.
        #expect(Self.security(result, "c.wild.test") == HostSecurity(redirectToHTTPS: true, hsts: true))
    }

    @Test func missingOrUnusableSecretsAreReportedAndTheRoutesStillServe() {
        let result = TranslationCase(
            "bad secrets",
            [
                Self.web(hosts: ["a.test", "b.test", "c.test", "d.test"], tls: [
                    Ingress.TLS(hosts: ["a.test"], secretName: "missing"),
                    Ingress.TLS(hosts: ["b.test"], secretName: "opaque"),
                    Ingress.TLS(hosts: ["c.test"], secretName: "nokey"),
                    Ingress.TLS(hosts: ["d.test"]),
                ]),
                Fixture.service(name: "web"),
                Fixture.tlsSecret(name: "opaque", certificate: Self.certificate, key: Self.key, type: "Opaque"),
                .secret(Secret(
                    metadata: ObjectMeta(name: "nokey", namespace: "default"), type: Secret.tlsType,
                    stringData: ["tls.crt": Self.certificate]
                )),
            ],
            lookups: [("a.test", "/", "default/web:80"), ("d.test", "/", "default/web:80")],
            diagnostics: [
                #"warning: Ingress default/web: spec.tls[0].secretName: Secret default/missing does not exist; hosts "a.test" get the default certificate"#,
                #"warning: Ingress default/web: spec.tls[3].secretName: names no Secret; hosts "d.test" get the default certificate"#,
                #"error: Secret default/nokey: data: has no "tls.key" key; hosts "c.test" keep the last good certificate of this Secret, else get the default one"#,
                #"error: Secret default/opaque: type: is "Opaque", not "kubernetes.io/tls"; it holds no certificate Portico can serve; hosts "b.test" keep the last good certificate of this Secret, else get the default one"#,
            ]
        ).check()
        #expect(result.table.certificates.map(\.secret) == ["default/nokey", "default/opaque"])
        #expect(result.table.certificates.allSatisfy { $0.material == nil })
        // Still TLS hosts: redirect and HSTS stay on.
        #expect(Self.security(result, "a.test") == HostSecurity(redirectToHTTPS: true, hsts: true))
    }

    @Test func annotationsTurnRedirectOffOrForceIt() {
        let result = TranslationCase(
            "annotations",
            [
                Self.web(
                    name: "secure", hosts: ["a.test"], tls: [Ingress.TLS(hosts: ["a.test"], secretName: "ab")],
                    annotations: ["portico.dev/ssl-redirect": "false"]
                ),
                Self.web(name: "forced", hosts: ["plain.test"], tls: nil, annotations: ["portico.dev/force-ssl-redirect": "true"]),
                Self.web(name: "typo", hosts: ["typo.test"], tls: nil, annotations: ["portico.dev/force-ssl-redirect": "yes"]),
                Fixture.service(name: "web"),
                Fixture.tlsSecret(name: "ab", certificate: Self.certificate, key: Self.key),
            ],
            lookups: [("typo.test", "/", "default/web:80")],
            diagnostics: [
                #"warning: Ingress default/typo: metadata.annotations[portico.dev/force-ssl-redirect]: "yes" is not "true" or "false"; it is ignored"#
            ]
        ).check()
        #expect(Self.security(result, "a.test") == HostSecurity(redirectToHTTPS: false, hsts: true))
        #expect(Self.security(result, "plain.test") == HostSecurity(redirectToHTTPS: true, hsts: false))
        #expect(Self.security(result, "typo.test") == .plain)
        #expect(result.table.redirectsToHTTPS)
    }

    /// Two Ingresses name one host with different paths: the older one's annotations decide the
    /// host's redirect, whichever of the two asks for it.
    @Test(arguments: [true, false])
    func theOldestIngressDecidesAHostsRedirect(olderForces: Bool) {
        func ingress(_ name: String, path: String, forces: Bool, created: Int) -> Resource {
            Fixture.ingress(
                name: name,
                annotations: forces ? ["portico.dev/force-ssl-redirect": "true"] : nil,
                rules: [Fixture.rule(host: "a.test", paths: [Fixture.path(path, service: "web", port: 80)])],
                created: created
            )
        }
        let result = TranslationCase(
            "older forces: \(olderForces)",
            [ingress("newer", path: "/b", forces: !olderForces, created: 2), ingress("older", path: "/a", forces: olderForces, created: 1),
             Fixture.service(name: "web")],
            lookups: [("a.test", "/a", "default/web:80"), ("a.test", "/b", "default/web:80")]
        ).check()
        #expect(Self.security(result, "a.test") == HostSecurity(redirectToHTTPS: olderForces, hsts: false))
    }

    @Test func theOldestIngressKeepsAContestedTLSHost() {
        let result = TranslationCase(
            "contested",
            [
                Self.web(name: "old", hosts: ["a.test"], tls: [Ingress.TLS(hosts: ["a.test"], secretName: "one")], created: 1),
                Self.web(name: "new", hosts: [], tls: [Ingress.TLS(hosts: ["a.test"], secretName: "two")], created: 2),
                Fixture.service(name: "web"),
                Fixture.tlsSecret(name: "one", certificate: Self.certificate, key: Self.key),
                Fixture.tlsSecret(name: "two", certificate: Self.certificate, key: Self.key),
            ],
            diagnostics: [
                #"warning: Ingress default/new: spec.tls[0].hosts: host "a.test" already uses Secret default/one of Ingress default/old, which takes precedence"#
            ]
        ).check()
        #expect(result.table.certificates.map(\.secret) == ["default/one"])
    }

    @Test func defaultCertificateSecretIsReadFromTheSnapshot() {
        var options = TranslationOptions()
        options.defaultSSLCertificate = NamespacedName(namespace: "ops", name: "fallback")
        let present = TranslationCase(
            "default secret",
            [Fixture.tlsSecret(name: "fallback", namespace: "ops", certificate: Self.certificate, key: Self.key)],
            options: options
        ).check()
        #expect(present.table.defaultCertificate?.secret == "ops/fallback")
        #expect(present.table.defaultCertificate?.material != nil)

        let missing = TranslationCase(
            "missing default secret", [], options: options,
            diagnostics: ["warning: Secret ops/fallback: the default certificate Secret does not exist; the generated certificate is served"]
        ).check()
        #expect(missing.table.defaultCertificate == nil)
    }
}
