import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// The protocol each cluster is spoken to in: Service port `appProtocol`, the backend-protocol
/// annotations (which win), CA Secrets for upstream TLS, and conflicts between Ingresses.
@Suite struct UpstreamProtocolTests {
    static let ca = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"
    static let cluster = ClusterID(namespace: "default", service: "api", port: "80")

    static func ingress(name: String = "web", annotations: [String: String]? = nil, created: Int = 0, path: String = "/") -> Resource {
        Fixture.ingress(
            name: name,
            annotations: annotations,
            rules: [Fixture.rule(host: "a.test", paths: [Fixture.path(path, service: "api", port: 80)])],
            created: created
        )
    }

    static func service(appProtocol: String? = nil) -> Resource {
        Fixture.service(name: "api", ports: [Service.Port(name: "web", protocol: "TCP", appProtocol: appProtocol, port: 80)])
    }

    static func caSecret(name: String = "upstream-ca", data: [String: String]) -> Resource {
        .secret(Secret(metadata: ObjectMeta(name: name, namespace: "default"), type: "Opaque", stringData: data))
    }

    static func upstream(_ objects: [Resource], diagnostics: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) -> UpstreamProtocol? {
        let result = TranslationCase("upstream", objects, lookups: [("a.test", "/", "default/api:80")], diagnostics: diagnostics)
            .check(sourceLocation: sourceLocation)
        return result.table.clusters[Self.cluster]?.upstream
    }

    static let plainTLS = UpstreamTLS(serverName: "api.default.svc", verification: .none)

    @Test(arguments: [
        (nil, UpstreamProtocol.http1),
        ("http", .http1),
        ("kubernetes.io/h2c", .h2c),
        ("kubernetes.io/ws", .http1),
        ("kubernetes.io/wss", UpstreamProtocol(version: .http1, tls: plainTLS)),
        ("https", UpstreamProtocol(version: .http1, tls: plainTLS)),
        ("HTTPS", UpstreamProtocol(version: .http1, tls: plainTLS)),
        ("example.com/custom", .http1),
    ] as [(String?, UpstreamProtocol)])
    func appProtocolOfTheServicePortChoosesTheProtocol(appProtocol: String?, expected: UpstreamProtocol) {
        #expect(Self.upstream([Self.ingress(), Self.service(appProtocol: appProtocol)]) == expected)
    }

    @Test(arguments: [
        ("HTTP", UpstreamProtocol.http1),
        ("https", UpstreamProtocol(version: .http1, tls: plainTLS)),
        ("h2c", .h2c),
        ("GRPC", .h2c),
        ("grpcs", UpstreamProtocol(version: .http2, tls: plainTLS)),
    ] as [(String, UpstreamProtocol)])
    func backendProtocolAnnotationWinsOverAppProtocol(value: String, expected: UpstreamProtocol) {
        for name in ["portico.dev/backend-protocol", "nginx.ingress.kubernetes.io/backend-protocol"] {
            let objects = [Self.ingress(annotations: [name: value]), Self.service(appProtocol: "kubernetes.io/wss")]
            #expect(Self.upstream(objects) == expected, "\(name): \(value)")
        }
    }

    @Test func invalidBackendProtocolIsReportedAndIgnored() {
        let upstream = Self.upstream(
            [Self.ingress(annotations: ["portico.dev/backend-protocol": "FCGI"]), Self.service(appProtocol: "kubernetes.io/h2c")],
            diagnostics: [
                "warning: Ingress default/web: metadata.annotations[portico.dev/backend-protocol]: \"FCGI\" is not one of "
                    + "HTTP, HTTPS, H2C, GRPC, GRPCS; it is ignored"
            ]
        )
        #expect(upstream == .h2c)
    }

    @Test func caSecretVerifiesWithServiceNameOrProxySSLName() throws {
        let client = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
        let verified = Self.upstream([
            Self.ingress(annotations: ["portico.dev/backend-protocol": "GRPCS", "portico.dev/proxy-ssl-secret": "upstream-ca"]),
            Self.service(),
            Self.caSecret(data: ["ca.crt": Self.ca, "tls.crt": client, "tls.key": key]),
        ])
        #expect(verified == UpstreamProtocol(version: .http2, tls: UpstreamTLS(
            serverName: "api.default.svc",
            verification: .certificateAuthority(pem: Array(Self.ca.utf8)),
            clientCertificate: PEMMaterial(certificateChain: Array(client.utf8), privateKey: Array(key.utf8)),
            secret: "default/upstream-ca"
        )))
        let named = Self.upstream([
            Self.ingress(annotations: [
                "portico.dev/proxy-ssl-secret": "default/upstream-ca", "portico.dev/proxy-ssl-name": "API.internal.example",
            ]),
            Self.service(appProtocol: "https"),
            Self.caSecret(data: ["ca.crt": Self.ca]),
        ])
        #expect(named?.tls?.serverName == "api.internal.example")
        #expect(named?.tls?.verification == .certificateAuthority(pem: Array(Self.ca.utf8)))
        #expect(named?.tls?.clientCertificate == nil)
    }

    @Test func unusableCASecretFailsClosedAndIsReported() {
        let annotations = ["portico.dev/backend-protocol": "HTTPS", "portico.dev/proxy-ssl-secret": "upstream-ca"]
        let missing = Self.upstream(
            [Self.ingress(annotations: annotations), Self.service()],
            diagnostics: [
                "warning: Ingress default/web: metadata.annotations[portico.dev/proxy-ssl-secret]: Secret default/upstream-ca "
                    + "does not exist; requests to its Services get 502 until it holds a CA (a named CA is never skipped)"
            ]
        )
        #expect(missing?.tls?.verification == .unavailable(reason: "Secret default/upstream-ca does not exist"))
        let noCA = Self.upstream(
            [Self.ingress(annotations: annotations), Self.service(), Self.caSecret(data: ["tls.crt": Self.ca])],
            diagnostics: [
                "warning: Ingress default/web: metadata.annotations[portico.dev/proxy-ssl-secret]: Secret default/upstream-ca: "
                    + "data has no \"ca.crt\" key; requests to its Services get 502 until it holds a CA (a named CA is never skipped)"
            ]
        )
        if case .unavailable = noCA?.tls?.verification {} else { Issue.record("expected fail-closed verification, got \(String(describing: noCA))") }
        let notPEM = Self.upstream(
            [Self.ingress(annotations: annotations), Self.service(), Self.caSecret(data: ["ca.crt": "not a certificate"])],
            diagnostics: [
                "warning: Ingress default/web: metadata.annotations[portico.dev/proxy-ssl-secret]: Secret default/upstream-ca: "
                    + "stringData[ca.crt] is not PEM (no \"-----BEGIN\" line); requests to its Services get 502 until it holds a CA "
                    + "(a named CA is never skipped)"
            ]
        )
        #expect(notPEM?.tls != nil)
    }

    @Test func tlsAnnotationsOnACleartextBackendAreReported() {
        let upstream = Self.upstream(
            [Self.ingress(annotations: ["portico.dev/proxy-ssl-secret": "upstream-ca"]), Self.service(), Self.caSecret(data: ["ca.crt": Self.ca])],
            diagnostics: [
                "warning: Ingress default/web: metadata.annotations[portico.dev/proxy-ssl-secret]: has no effect on Service port "
                    + "default/api:80: its backend protocol is cleartext"
            ]
        )
        #expect(upstream == .http1)
    }

    @Test func badSecretReferenceAndServerNameAreIgnored() {
        let upstream = Self.upstream(
            [
                Self.ingress(annotations: [
                    "portico.dev/backend-protocol": "https", "portico.dev/proxy-ssl-secret": "a/b/c",
                    "portico.dev/proxy-ssl-name": "10.0.0.1",
                ]),
                Self.service(),
            ],
            diagnostics: [
                "warning: Ingress default/web: metadata.annotations[portico.dev/proxy-ssl-name]: \"10.0.0.1\" is not a DNS name "
                    + "(an IP address cannot be sent as SNI); it is ignored",
                "warning: Ingress default/web: metadata.annotations[portico.dev/proxy-ssl-secret]: \"a/b/c\" is not "
                    + "\"namespace/name\" or \"name\"; it is ignored",
            ]
        )
        #expect(upstream == UpstreamProtocol(version: .http1, tls: Self.plainTLS))
    }

    @Test func oldestIngressSettingTheAnnotationDecidesAConflict() {
        let upstream = Self.upstream(
            [
                Self.ingress(name: "plain", created: 0, path: "/plain"),
                Self.ingress(name: "grpc", annotations: ["portico.dev/backend-protocol": "GRPC"], created: 1, path: "/"),
                Self.ingress(name: "young", annotations: ["nginx.ingress.kubernetes.io/backend-protocol": "HTTP"], created: 2, path: "/young"),
                Self.service(appProtocol: "https"),
            ],
            diagnostics: [
                "warning: Ingress default/young: metadata.annotations[nginx.ingress.kubernetes.io/backend-protocol]: Service port "
                    + "default/api:80 already follows the upstream annotations of Ingress default/grpc, which is older; this "
                    + "Ingress's differ and are ignored for it"
            ]
        )
        #expect(upstream == .h2c)
    }
}
