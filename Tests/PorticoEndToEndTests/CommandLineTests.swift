import Foundation
import PorticoTestSupport
import Testing

/// The `portico` executable itself, as a user or an init system runs it.
@Suite("portico command line")
struct CommandLineTests {
    /// `swift build --build-tests` builds the executable next to the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0])
        .deletingLastPathComponent()
        .appendingPathComponent("portico")

    struct Finished {
        var status: Int32
        var output: String
    }

    /// Runs `portico` with `arguments` to completion, at most `timeout`.
    static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> Finished {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Finished(status: process.terminationStatus, output: output)
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
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--admin-port", "0"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("portico-sigterm-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let logHandle = try FileHandle(forWritingTo: log)
        process.arguments? += ["--log-level", "info"]
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        // Signal only once it runs (its signal handlers are installed before the first table is
        // published): a SIGTERM during start-up would end it with the default action instead.
        let ready = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < ready,
            !((try? String(contentsOf: log, encoding: .utf8))?.contains("first routing table published") ?? false)
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(process.isRunning)
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let stillRunning = process.isRunning
        if stillRunning { kill(process.processIdentifier, SIGKILL) }
        #expect(!stillRunning)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        try await backend.close()
    }
}
