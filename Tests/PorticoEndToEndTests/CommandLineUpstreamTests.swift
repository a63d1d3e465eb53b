import Foundation
import Testing

/// Upstream pool flags are validated before anything starts.
@Suite("portico command line, upstream pool")
struct CommandLineUpstreamTests {
    @Test func aNegativeIdleConnectionLimitIsRefusedWithTheFlagNamed() async throws {
        let result = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--upstream-max-idle-connections=-1"])
        #expect(result.status != 0)
        #expect(result.output.contains("--upstream-max-idle-connections must be 0 (no reuse) or more"))
    }
}
