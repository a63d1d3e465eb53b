import Foundation
import PorticoTestSupport
import Testing

/// `portico check` parses certificates as the proxy would, and TLS flags are validated before
/// anything starts.
@Suite("portico command line, TLS")
struct CommandLineTLSTests {
    @Test func checkReportsACertificateWhoseKeyDoesNotMatch() async throws {
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "secure", dnsNames: ["secure.test"])
        let folder = try TemporaryFolder(prefix: "portico-cli", files: [
            "svc.yaml": ManifestYAML.service("web", port: 9),
            "ing.yaml": LocalModeTLSTests.ingress,
            "secret.yaml": LocalModeTLSTests.secret("secure-tls", leaf, key: TestCertificateAuthority.unrelatedKeyPEM()),
        ])
        defer { folder.remove() }
        let result = try await CommandLineTests.run(["check", folder.path])
        #expect(result.status == 1)
        #expect(result.output.contains(
            "\(folder.path)/secret.yaml:1: Secret default/secure-tls: tls.key does not match the certificate in tls.crt; its hosts get the default certificate"
        ))
    }

    @Test func badTLSFlagsAreRefusedWithTheFlagNamed() async throws {
        let ciphers = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--ssl-ciphers", "HIGH:!aNULL"])
        #expect(ciphers.status != 0)
        #expect(ciphers.output.contains("--ssl-ciphers: \"HIGH\" is not a TLS 1.2 cipher suite name"))
        let version = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--ssl-min-version", "1.1"])
        #expect(version.status != 0)
        #expect(version.output.contains("--ssl-min-version takes 1.2 or 1.3"))
        let secret = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--default-ssl-certificate", "a/b/c"])
        #expect(secret.status != 0)
        #expect(secret.output.contains("--default-ssl-certificate takes namespace/name"))
    }
}
