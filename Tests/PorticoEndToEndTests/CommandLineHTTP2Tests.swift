import Foundation
import Testing

/// HTTP/2 flags are validated before anything starts.
@Suite("portico command line, HTTP/2")
struct CommandLineHTTP2Tests {
    @Test func badHTTP2FlagsAreRefusedWithTheFlagNamed() async throws {
        let streams = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--http2-max-concurrent-streams", "0"])
        #expect(streams.status != 0)
        #expect(streams.output.contains("--http2-max-concurrent-streams must be at least 1"))
        let window = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--http2-initial-window-size", "100"])
        #expect(window.status != 0)
        #expect(window.output.contains("--http2-initial-window-size must be from 65535 to 2147483647 bytes"))
        let connection = try await CommandLineTests.run(["run", "--manifests", "/tmp", "--http2-connection-window-size", "4294967296"])
        #expect(connection.status != 0)
        #expect(connection.output.contains("--http2-connection-window-size must be from 65535"))
    }
}
