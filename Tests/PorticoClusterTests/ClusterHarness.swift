import Foundation
import Logging
import PorticoController
import PorticoKube
import PorticoModel
import PorticoProxy
import PorticoTestAPIServer
import PorticoTestSupport
import Synchronization
import Testing

/// A test API server plus a kubeconfig pointing at it (CA data, and a token file so that tests
/// can rotate the token), and the objects tests create.
final class ClusterHarness: Sendable {
    let server: TestAPIServer
    let folder: URL
    private let stopped = Mutex(false)
    static let token = "token-one"

    private init(server: TestAPIServer, folder: URL) {
        self.server = server
        self.folder = folder
    }

    static func run(_ body: @Sendable (ClusterHarness) async throws -> Void) async throws {
        let server = try await TestAPIServer.start(token: token)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let harness = ClusterHarness(server: server, folder: folder)
        try harness.writeToken(token)
        try harness.writeKubeconfig(name: "kubeconfig", caPEM: server.caPEM)
        do {
            try await body(harness)
        } catch {
            try? await harness.stopServer()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        try await harness.stopServer()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Shuts the API server down (once), as when it goes away under a running controller.
    func stopServer() async throws {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { try await server.shutdown() }
    }

    var kubeconfig: String { folder.appendingPathComponent("kubeconfig").path }
    var tokenFile: String { folder.appendingPathComponent("token").path }

    func writeToken(_ token: String) throws {
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
    }

    /// Writes a kubeconfig trusting `caPEM` and reading the bearer token from `tokenFile`.
    @discardableResult
    func writeKubeconfig(name: String, caPEM: String) throws -> String {
        let text = """
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
              - name: test
                cluster:
                  server: \(server.url)
                  certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())
            users:
              - name: portico
                user:
                  tokenFile: \(tokenFile)
            contexts:
              - name: test
                context: {cluster: test, user: portico}

            """
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: objects

    @discardableResult
    func apply(_ json: String) throws -> JSONValue {
        do {
            return try server.apply(json: json)
        } catch {
            throw HarnessError(description: "apply failed: \(error)")
        }
    }

    func delete(_ type: ResourceType, name: String) throws {
        do {
            try server.delete(type, namespace: "default", name: name)
        } catch {
            throw HarnessError(description: "delete failed: \(error)")
        }
    }

    /// A Service `name` with one EndpointSlice pointing at 127.0.0.1:`port`.
    func backend(_ name: String, port: Int) throws {
        try apply(#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"ports":[{"name":"http","port":80}]}}"#)
        try apply(
            #"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"\#(name)-1","namespace":"default","labels":{"kubernetes.io/service-name":"\#(name)"}},"addressType":"IPv4","ports":[{"name":"http","port":\#(port)}],"endpoints":[{"addresses":["127.0.0.1"],"conditions":{"ready":true}}]}"#
        )
    }

    static func ingressJSON(_ name: String, host: String, path: String = "/", service: String, className: String = "portico") -> String {
        #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"ingressClassName":"\#(className)","rules":[{"host":"\#(host)","http":{"paths":[{"path":"\#(path)","pathType":"Prefix","backend":{"service":{"name":"\#(service)","port":{"number":80}}}}]}}]}}"#
    }

    func ingress(_ name: String, host: String, path: String = "/", service: String, className: String = "portico") throws {
        try apply(Self.ingressJSON(name, host: host, path: path, service: service, className: className))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` every 20 ms for at most `timeout`; throws when it never holds.
func waitUntil(_ what: String, timeout: Duration = .seconds(15), _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw HarnessError(description: "timed out waiting until \(what)")
}

