import Foundation
import Testing

/// How `portico run` chooses its source, as a user meets it.
@Suite("portico run: cluster mode selection")
struct ClusterCommandLineTests {
    /// `swift build --build-tests` builds the executable next to the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0])
        .deletingLastPathComponent()
        .appendingPathComponent("portico")

    /// Runs `portico` outside any pod (no `KUBERNETES_SERVICE_HOST`) to completion, at most 20 s.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KUBERNETES_") }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, output)
    }

    @Test func withoutASourceItAsksForManifestsOrAKubeconfig() async throws {
        let result = try await Self.run(["run", "--http-port", "0", "--admin-port", "0"])
        #expect(result.status != 0)
        #expect(result.output.contains("--manifests"))
        #expect(result.output.contains("--kubeconfig"))
    }

    @Test func aMissingKubeconfigIsNamed() async throws {
        let result = try await Self.run(["run", "--kubeconfig", "/nonexistent/portico-kubeconfig", "--http-port", "0", "--admin-port", "0"])
        #expect(result.status != 0)
        #expect(result.output.contains("/nonexistent/portico-kubeconfig"))
    }

    @Test func badClusterFlagsAreRefusedWithTheFlagNamed() async throws {
        let result = try await Self.run(["run", "--kubeconfig", "/tmp/x", "--publish-service", "no-namespace"])
        #expect(result.status != 0)
        #expect(result.output.contains("--publish-service"))
    }
}
