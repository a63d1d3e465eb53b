import Foundation
import PorticoTestSupport
import Testing

/// Start-up problems an operator meets first get messages that say what to fix.
@Suite("start-up failures")
struct StartupFailureTests {
    @Test(arguments: [("--http-port", "HTTP"), ("--admin-port", "admin"), ("--https-port", "HTTPS")])
    func aPortInUseNamesTheListenerAndThePort(flag: String, listener: String) async throws {
        // The stub's port is in use for as long as it listens.
        let occupant = try await UpstreamStub.start(name: "occupant")
        let folder = try TemporaryFolder(prefix: "portico-deploy")
        defer { folder.remove() }
        var arguments = ["run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--admin-port", "0"]
        arguments += [flag, "\(occupant.port)"]
        let result = try await PorticoProcess.run(arguments, timeout: .seconds(20))
        #expect(result.status != nil && result.status != 0)
        #expect(
            result.output.contains("cannot listen for \(listener) on 127.0.0.1:\(occupant.port): the port is already in use"),
            "\(result.output)"
        )
        try await occupant.close()
    }

    @Test func aManifestPathThatIsAFileIsRefusedBeforeAnythingStarts() async throws {
        let folder = try TemporaryFolder(prefix: "portico-deploy", files: ["file.yaml": "kind: List\nitems: []\n"])
        defer { folder.remove() }
        let file = folder.path("file.yaml")
        let result = try await PorticoProcess.run(["run", "--manifests", file, "--http-port", "0", "--https-port", "0", "--admin-port", "0"])
        #expect(result.status != nil && result.status != 0)
        #expect(result.output.contains("manifest folder \(file) is not a folder"), "\(result.output)")
    }

    @Test func noIngressOfTheClassIsAWarningAtTheFirstSync() async throws {
        let folder = try TemporaryFolder(prefix: "portico-deploy", files: ["other.yaml": ManifestYAML.route("web", host: "web.test", port: 9).replacingOccurrences(of: "ingressClassName: portico", with: "ingressClassName: nginx")])
        defer { folder.remove() }
        let process = try PorticoProcess(["run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--admin-port", "0", "--shutdown-drain-delay", "0s"])
        #expect(try await process.waitForOutput("no Ingress of class \"portico\" found"), "\(process.output)")
        process.signal(SIGTERM)
        #expect(try await process.waitForExit(timeout: .seconds(15)) == 0)
    }
}
