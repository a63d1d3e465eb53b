import Foundation
import PorticoTestSupport
import Testing

/// TLS as a user runs it in local mode: a `kubernetes.io/tls` Secret and an Ingress `tls`
/// section in the manifest folder, real handshakes, rotation by rewriting the Secret's file
/// while a TLS connection stays open, and a bad update that keeps the last good certificate.
@Suite("Local mode TLS end to end")
struct LocalModeTLSTests {
    static func secret(_ name: String, _ leaf: TestCertificateAuthority.Leaf, key: String? = nil) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: \(name), namespace: default}
        type: kubernetes.io/tls
        data:
          tls.crt: \(Data(leaf.chainPEM.utf8).base64EncodedString())
          tls.key: \(Data((key ?? leaf.keyPEM).utf8).base64EncodedString())

        """
    }

    static let ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: secure, namespace: default}
        spec:
          ingressClassName: portico
          tls:
            - hosts: [secure.test]
              secretName: secure-tls
          rules:
            - host: secure.test
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: web, port: {number: 80}}

        """

    @Test func servesRotatesAndKeepsTheLastGoodCertificate() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let authority = try TestCertificateAuthority()
        let first = try authority.issue(commonName: "v1", dnsNames: ["secure.test"])
        let second = try authority.issue(commonName: "v2", dnsNames: ["secure.test"])
        let files = [
            "services.yaml": ManifestYAML.service("web", port: web.port),
            "ingress.yaml": Self.ingress,
            "secret.yaml": Self.secret("secure-tls", first),
        ]
        try await PorticoHarness.run(files: files) { portico in
            let httpsPort = try portico.httpsPort
            @Sendable func handshake(_ serverName: String?) async throws -> String? {
                try await HTTPTestClient.withConnection(port: httpsPort, tls: TLSClientSettings(serverName: serverName)) { client in
                    _ = try await client.send(host: serverName ?? "secure.test")
                    return try await client.peerCommonName()
                }
            }
            #expect(try await handshake(nil) == "Portico default certificate")

            try await HTTPTestClient.withConnection(
                port: httpsPort, tls: TLSClientSettings(serverName: "secure.test", trustedRootPEM: authority.certificatePEM)
            ) { client in
                let response = try await client.send(host: "secure.test")
                #expect(response.header("x-stub-name") == "web")
                #expect(response.header("x-seen-x-forwarded-proto") == "https")
                #expect(response.header("strict-transport-security") == "max-age=31536000")
                #expect(try await client.peerCommonName() == "v1")

                let plain = try await portico.get(host: "secure.test", path: "/a?b=c")
                #expect(plain.status == 308)
                #expect(plain.header("location") == "https://secure.test/a?b=c")

                // Rotation: new handshakes get v2; this connection keeps working on v1.
                try portico.write("secret.yaml", Self.secret("secure-tls", second))
                try await portico.waitUntil("the rotated certificate is served") { try await handshake("secure.test") == "v2" }
                #expect(try await client.send(host: "secure.test").status == 200)
                #expect(try await client.peerCommonName() == "v1")
            }

            // A bad update (key of another certificate) written together with a new route: once
            // the route serves, the Secret's last good certificate (v2) must still be served.
            try portico.write(
                "secret.yaml",
                Self.secret("secure-tls", second, key: TestCertificateAuthority.unrelatedKeyPEM()) + "---\n"
                    + ManifestYAML.ingress("marker", rules: [("marker.test", "/", "web")])
            )
            try await portico.waitUntil("the marker route serves") {
                try await portico.get(host: "marker.test", path: "/").status == 200
            }
            #expect(try await handshake("secure.test") == "v2")
        }
        try await web.close()
    }
}
