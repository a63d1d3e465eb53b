import Foundation
import Logging
import PorticoController
import PorticoModel
import PorticoProxy
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// The reconciler compiles the table's certificates into the `CertificateStore`: problems are
/// reported like diagnostics, naming the Secret, and a bad Secret update keeps serving the last
/// good certificate.
@Suite struct ReconcilerTLSTests {
    static func secret(_ leaf: TestCertificateAuthority.Leaf, key: String? = nil) -> ResourceEvent {
        let secret = Secret(
            metadata: ObjectMeta(name: "web-tls", namespace: "default"), type: Secret.tlsType,
            data: [
                "tls.crt": Data(leaf.chainPEM.utf8).base64EncodedString(),
                "tls.key": Data((key ?? leaf.keyPEM).utf8).base64EncodedString(),
            ]
        )
        return .upserted(SourcedResource(.secret(secret), origin: .file(path: "secret.yaml", line: 1)))
    }

    static let ingress: ResourceEvent = {
        let ingress = Ingress(
            metadata: ObjectMeta(name: "web", namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z"),
            spec: .init(
                ingressClassName: "portico",
                tls: [.init(hosts: ["web.test"], secretName: "web-tls")],
                rules: [.init(host: "web.test", http: .init(paths: [
                    .init(path: "/", pathType: "Prefix", backend: .init(service: .init(name: "web", port: .init(number: 80)))),
                ]))]
            )
        )
        return .upserted(SourcedResource(.ingress(ingress), origin: .file(path: "web.yaml", line: 1)))
    }()

    @Test func certificatesArePublishedAndABadUpdateKeepsTheLastGoodOne() throws {
        let authority = try TestCertificateAuthority()
        let good = try authority.issue(commonName: "good", dnsNames: ["web.test"])
        let routes = RouteTableStore()
        let certificates = try CertificateStore.withGeneratedDefault()
        let reconciler = Reconciler(
            options: TranslationOptions(), routes: routes, logger: Logger(label: "test"), certificates: certificates
        )
        reconciler.apply(Objects.service())
        reconciler.apply(Self.ingress)
        reconciler.apply(Self.secret(good))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        let first = try #require(reconciler.publish())
        #expect(first.errorCount == 0)
        let served = certificates.current.certificate(forServerName: "web.test")
        #expect(served.secret == "default/web-tls")
        #expect(routes.current.virtualHost(for: "web.test")?.security.redirectToHTTPS == true)

        reconciler.apply(Self.secret(good, key: TestCertificateAuthority.unrelatedKeyPEM()))
        let second = try #require(reconciler.publish())
        #expect(second.errorCount == 1)
        #expect(second.diagnostics == [
            "error: secret.yaml:1: Secret default/web-tls: tls.key does not match the certificate in tls.crt; its last good certificate is still served"
        ])
        #expect(certificates.current.certificate(forServerName: "web.test") === served)
    }
}
