import Foundation
import PorticoKube
import Testing

@Suite("Kubeconfig loading")
struct KubeconfigLoaderTests {
    private static let caPEM = "-----BEGIN CERTIFICATE-----\nQ0EK\n-----END CERTIFICATE-----\n"

    private func kubeconfig(users: String, cluster: String = "certificate-authority: pki/ca.crt", currentContext: String = "dev") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: \(currentContext)
        clusters:
        - name: dev-cluster
          cluster:
            server: https://10.0.0.1:6443/
            \(cluster)
        - name: prod-cluster
          cluster:
            server: https://prod.example:443
            certificate-authority-data: \(Data("prod-ca".utf8).base64EncodedString())
        contexts:
        - name: dev
          context:
            cluster: dev-cluster
            user: dev-user
            namespace: ingress
        - name: prod
          context:
            cluster: prod-cluster
            user: prod-user
        users:
        \(users)
        """
    }

    @Test func relativePathsResolveAgainstTheKubeconfigFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("kube/pki/ca.crt", Self.caPEM)
        try folder.write("kube/pki/client.crt", "client-cert")
        try folder.write("kube/pki/client.key", "client-key")
        let path = try folder.write("kube/config", kubeconfig(users: """
        - name: dev-user
          user:
            client-certificate: pki/client.crt
            client-key: pki/client.key
        """))

        let configuration = try KubeconfigLoader.load(path: path)

        #expect(configuration.server == "https://10.0.0.1:6443")
        #expect(configuration.certificateAuthorityPEM == Data(Self.caPEM.utf8))
        #expect(configuration.certificateAuthoritySource == folder.path + "/kube/pki/ca.crt")
        #expect(configuration.clientCertificate?.certificatePEM == Data("client-cert".utf8))
        #expect(configuration.clientCertificate?.keyPEM == Data("client-key".utf8))
        #expect(configuration.clientCertificate?.source == folder.path + "/kube/pki/client.crt")
        #expect(configuration.bearerToken == nil)
        #expect(configuration.namespace == "ingress")
        #expect(configuration.insecureSkipTLSVerify == false)
    }

    @Test func dataFieldsAreBase64AndTheContextCanBeChosen() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("config", kubeconfig(users: """
        - name: dev-user
          user:
            token: unused
        - name: prod-user
          user:
            client-certificate-data: \(Data("cert-bytes".utf8).base64EncodedString())
            client-key-data: \(Data("key-bytes".utf8).base64EncodedString())
            token: " prod-token\\n"
        """))

        let configuration = try KubeconfigLoader.load(path: path, context: "prod")

        #expect(configuration.server == "https://prod.example:443")
        #expect(configuration.certificateAuthorityPEM == Data("prod-ca".utf8))
        #expect(configuration.certificateAuthoritySource == "certificate-authority-data of cluster \"prod-cluster\" in \(path)")
        #expect(configuration.clientCertificate?.certificatePEM == Data("cert-bytes".utf8))
        #expect(configuration.clientCertificate?.keyPEM == Data("key-bytes".utf8))
        #expect(configuration.bearerToken == .literal("prod-token"))
        #expect(configuration.namespace == nil)
    }

    @Test func tokenFileIsResolvedButNotReadAtLoad() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("pki/ca.crt", Self.caPEM)
        let path = try folder.write("config", kubeconfig(users: """
        - name: dev-user
          user:
            tokenFile: tokens/sa-token
        """))

        let configuration = try KubeconfigLoader.load(path: path)

        #expect(configuration.bearerToken == .file(path: folder.path + "/tokens/sa-token"))
        #expect(configuration.credentialDescription == "the bearer token in \(folder.path)/tokens/sa-token")
    }

    @Test func insecureSkipTLSVerifyIsCarried() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("config", kubeconfig(users: "- name: dev-user\n  user: {}", cluster: "insecure-skip-tls-verify: true"))

        let configuration = try KubeconfigLoader.load(path: path)

        #expect(configuration.insecureSkipTLSVerify)
        #expect(configuration.certificateAuthorityPEM == nil)
    }

    @Test func aMissingContextIsNamedWithTheKnownOnes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("config", kubeconfig(users: "- name: dev-user\n  user: {}"))

        let error = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: path, context: "staging") }

        #expect(error.kind == .configuration)
        #expect(error.message == "kubeconfig \(path): context \"staging\" is not defined (contexts: dev, prod)")
    }

    @Test func noCurrentContextAsksForOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("config", kubeconfig(users: "- name: dev-user\n  user: {}", currentContext: "\"\""))

        let error = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: path) }

        #expect(error.message.contains("no current-context is set; pass --context NAME"))
    }

    @Test func execPluginsAreRefusedClearly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("pki/ca.crt", Self.caPEM)
        let path = try folder.write("config", kubeconfig(users: """
        - name: dev-user
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: aws
              args: [eks, get-token]
        """))

        let error = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: path) }

        #expect(error.kind == .configuration)
        #expect(error.message.contains(path))
        #expect(error.message.contains("user \"dev-user\""))
        #expect(error.message.contains("exec credential plugins are not supported; use a token, tokenFile or client certificate"))
    }

    @Test func authProvidersAreRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("pki/ca.crt", Self.caPEM)
        let path = try folder.write("config", kubeconfig(users: """
        - name: dev-user
          user:
            auth-provider:
              name: gcp
        """))

        let error = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: path) }

        #expect(error.message.contains("auth providers are not supported"))
    }

    @Test func unreadableFilesAndBadDataNameTheField() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let missingCA = try folder.write("a", kubeconfig(users: "- name: dev-user\n  user: {}"))
        let caError = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: missingCA) }
        #expect(caError.message == "kubeconfig \(missingCA): certificate-authority of cluster \"dev-cluster\": cannot read \(folder.path)/pki/ca.crt")

        let badData = try folder.write("b", kubeconfig(users: "- name: dev-user\n  user: {}", cluster: "certificate-authority-data: \"***\""))
        try folder.write("pki/ca.crt", Self.caPEM)
        let keyless = try folder.write("c", kubeconfig(users: "- name: dev-user\n  user:\n    client-certificate-data: Y2VydA=="))
        let dataError = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: badData) }
        #expect(dataError.message == "kubeconfig \(badData): certificate-authority-data of cluster \"dev-cluster\" is not valid base64")
        let keyError = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: keyless) }
        #expect(keyError.message == "kubeconfig \(keyless): user \"dev-user\" sets a client-certificate but no client-key")
    }

    @Test func aMissingOrMalformedFileNamesThePath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let malformed = try folder.write("config", "clusters: [unterminated")

        let missing = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: folder.path + "/nope") }
        #expect(missing.message == "kubeconfig \(folder.path)/nope: cannot read the file (missing or unreadable)")
        let bad = try #require(throws: KubeAPIError.self) { try KubeconfigLoader.load(path: malformed) }
        #expect(bad.message.hasPrefix("kubeconfig \(malformed): is not a valid kubeconfig"))
    }
}
