import Foundation
import PorticoTestSupport
import Testing

/// The `portico` executable itself, as a user or an init system runs it.
@Suite("portico command line")
struct CommandLineTests {
    struct Finished {
        var status: Int32
        var output: String
    }

    /// Runs `portico` with `arguments` to completion, at most `timeout` (a process still running
    /// then is killed and reports -1).
    static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> Finished {
        let (status, output) = try await PorticoProcess.run(arguments, timeout: timeout)
        return Finished(status: status ?? -1, output: output)
    }

    @Test func checkExitsNonZeroAndNamesFileLineAndField() async throws {
        let folder = try TemporaryFolder(prefix: "portico-cli", files: [
            "svc.yaml": ManifestYAML.service("web", port: 9),
            "bad.yaml": ManifestYAML.ingress("bad", rules: [("bad.test", "/", "web")], pathType: "Prefixx"),
        ])
        defer { folder.remove() }
        let result = try await Self.run(["check", folder.path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(folder.path)/bad.yaml:1: Ingress default/bad: spec.rules[0].http.paths[0].pathType"))
        #expect(result.output.contains("1 errors"))
    }

    @Test func checkOfAGoodFolderExitsZeroAndRoutesPrintsTheTable() async throws {
        let folder = try TemporaryFolder(prefix: "portico-cli", files: [
            "svc.yaml": ManifestYAML.service("web", port: 9001),
            "ing.yaml": ManifestYAML.ingress("good", rules: [("good.test", "/shop", "web")]),
        ])
        defer { folder.remove() }
        let check = try await Self.run(["check", folder.path])
        #expect(check.status == 0)
        let routes = try await Self.run(["routes", folder.path])
        #expect(routes.status == 0)
        #expect(routes.output.contains("good.test"))
        #expect(routes.output.contains("/shop"))
        #expect(routes.output.contains("127.0.0.1:9001"))
    }

    @Test func aMissingFolderIsAClearErrorBeforeAnythingStarts() async throws {
        let result = try await Self.run(["run", "--manifests", "/nonexistent/portico-manifests", "--http-port", "1", "--admin-port", "2"])
        #expect(result.status != 0)
        #expect(result.output.contains("manifest folder /nonexistent/portico-manifests does not exist"))
    }

    @Test func badFlagsAreRefusedWithTheFlagNamed() async throws {
        let result = try await Self.run(["run", "--manifests", "/tmp", "--upstream-connect-timeout", "soon"])
        #expect(result.status != 0)
        #expect(result.output.contains("--upstream-connect-timeout"))
    }

    /// SIGTERM stops the listeners and the process exits 0 (it used to hang: the admin listener
    /// ignored graceful shutdown and the service group waited for it forever).
    @Test func sigtermExitsCleanly() async throws {
        let backend = try await UpstreamStub.start(name: "web")
        let folder = try TemporaryFolder(prefix: "portico-cli", files: ["svc.yaml": ManifestYAML.service("web", port: backend.port)])
        defer { folder.remove() }
        let portico = try PorticoProcess([
            "run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0",
            "--admin-port", "0", "--log-level", "info",
        ])
        // Signal only once it runs (its signal handlers are installed before the first table is
        // published): a SIGTERM during start-up would end it with the default action instead.
        #expect(try await portico.waitForOutput("first routing table published"))
        portico.signal(SIGTERM)
        #expect(try await portico.waitForExit(timeout: .seconds(15)) == 0)
        try await backend.close()
    }
}
