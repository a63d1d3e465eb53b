import Foundation
import PorticoKube
import Testing

@Suite("In-cluster detection")
struct InClusterConfigurationTests {
    @Test func outsideAPodThereIsNothingToDetect() throws {
        #expect(try InClusterConfiguration.detect(environment: [:]) == nil)
        #expect(try InClusterConfiguration.detect(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]) == nil)
    }

    @Test func readsTheServiceAccountFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("ca.crt", "CA")
        try folder.write("token", "t0ken\n")
        try folder.write("namespace", "portico-system\n")

        let configuration = try #require(try InClusterConfiguration.detect(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: folder.path
        ))

        #expect(configuration.server == "https://10.96.0.1:443")
        #expect(configuration.certificateAuthorityPEM == Data("CA".utf8))
        #expect(configuration.certificateAuthoritySource == folder.path + "/ca.crt")
        #expect(configuration.bearerToken == .file(path: folder.path + "/token"))
        #expect(configuration.namespace == "portico-system")
        #expect(configuration.clientCertificate == nil)
    }

    @Test func anIPv6ServiceAddressGoesInBrackets() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("ca.crt", "CA")
        try folder.write("token", "t")

        let configuration = try #require(try InClusterConfiguration.detect(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"],
            serviceAccountDirectory: folder.path
        ))

        #expect(configuration.server == "https://[fd00::1]:6443")
        #expect(configuration.namespace == nil)
    }

    @Test func anUnmountedTokenIsAClearError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("ca.crt", "CA")

        let error = try #require(throws: KubeAPIError.self) {
            try InClusterConfiguration.detect(
                environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                serviceAccountDirectory: folder.path
            )
        }
        #expect(error.kind == .configuration)
        #expect(error.message.contains(folder.path + "/token cannot be read"))
    }

    @Test func aBadPortIsRefused() throws {
        let error = try #require(throws: KubeAPIError.self) {
            try InClusterConfiguration.detect(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "https"])
        }
        #expect(error.message.contains("KUBERNETES_SERVICE_PORT \"https\" is not a port number"))
    }
}
