import Foundation
import NIOCore
import PorticoTestSupport
import Synchronization
import Testing

/// Graceful shutdown of the real `portico` process: SIGTERM turns `/readyz` to 503 at once, the
/// listeners keep accepting for the drain delay, requests in flight finish, and the process
/// exits 0; a second signal stops it at once.
@Suite("graceful shutdown", .serialized)
struct ShutdownTests {
    /// A running `portico run` on a local folder, with its bound ports.
    struct Running {
        let process: PorticoProcess
        let proxyPort: Int
        let adminPort: Int

        static func start(folder: TemporaryFolder, extra: [String]) async throws -> Running {
            let process = try PorticoProcess(
                ["run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--admin-port", "0", "--no-access-log"]
                    + extra
            )
            // Signal only once it runs: its handlers are installed before the first table.
            for line in ["first routing table published", "proxy listening", "admin listener started"] {
                #expect(try await process.waitForOutput(line), "\(process.output)")
            }
            let proxyPort = try #require(process.boundPort(after: "proxy listening"), "\(process.output)")
            let adminPort = try #require(process.boundPort(after: "admin listener started"), "\(process.output)")
            return Running(process: process, proxyPort: proxyPort, adminPort: adminPort)
        }

        func readyz() async throws -> Int {
            try await HTTPTestClient.withConnection(port: adminPort) { try await $0.send(uri: "/readyz", host: "localhost") }.status
        }
    }

    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }

    struct Tally: Sendable {
        var succeeded = 0
        var failed: [String] = []
    }

    /// Sends requests on keep-alive connections until `stop`, opening a new connection when the
    /// server closes one (or, with `newConnectionEachTime`, for every request).
    static func stream(port: Int, host: String, stop: Flag, newConnectionEachTime: Bool) async -> Tally {
        var tally = Tally()
        let deadline = ContinuousClock.now + .seconds(30)
        while !stop.isSet, ContinuousClock.now < deadline {
            do {
                try await HTTPTestClient.withConnection(port: port) { client in
                    while !stop.isSet, ContinuousClock.now < deadline {
                        let response = try await client.send(uri: "/", host: host)
                        guard response.status == 200 else {
                            tally.failed.append("status \(response.status)")
                            return
                        }
                        tally.succeeded += 1
                        if newConnectionEachTime || response.header("connection")?.lowercased() == "close" { return }
                    }
                }
            } catch {
                tally.failed.append("\(error)")
            }
        }
        return tally
    }

    @Test func sigtermDuringAStreamOfRequestsFailsNoneAndExitsZero() async throws {
        let fast = try await UpstreamStub.start(name: "fast", behavior: .fixed(status: 200, body: "fast"))
        let slow = try await UpstreamStub.start(name: "slow", behavior: .delay(.milliseconds(5500), then: .fixed(status: 200, body: "slow")))
        let folder = try TemporaryFolder(prefix: "portico-deploy", files: [
            "fast.yaml": ManifestYAML.route("fast", host: "fast.test", port: fast.port),
            "slow.yaml": ManifestYAML.route("slow", host: "slow.test", port: slow.port),
        ])
        defer { folder.remove() }
        let drain = Duration.seconds(5)
        let portico = try await Running.start(folder: folder, extra: ["--shutdown-drain-delay", "5s", "--shutdown-grace-period", "10s"])
        #expect(try await portico.readyz() == 200)

        let stop = Flag()
        let port = portico.proxyPort
        let streams = (0..<4).map { index in
            Task { await Self.stream(port: port, host: "fast.test", stop: stop, newConnectionEachTime: index == 0) }
        }
        // Let the streams run, then signal in the middle of them.
        try await Task.sleep(for: .milliseconds(300))
        let signalled = ContinuousClock.now
        portico.process.signal(SIGTERM)

        // /readyz fails at once, while the process still serves, so that a load balancer stops
        // sending before the listener closes. "At once" with room for a loaded CI machine,
        // which has taken 2 s to run the signal handler and this probe.
        var notReadyAfter: Duration?
        while ContinuousClock.now - signalled < drain {
            if try await portico.readyz() == 503 {
                notReadyAfter = ContinuousClock.now - signalled
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let reaction = try #require(notReadyAfter, "/readyz did not answer 503 within the drain delay")
        #expect(reaction < .seconds(4))

        // During the drain delay new connections are still accepted: a request that starts now
        // and outlives the drain delay is in flight when accepting stops, and still completes.
        let inFlight = Task {
            try await HTTPTestClient.withConnection(port: port) { try await $0.send(uri: "/", host: "slow.test") }
        }
        // The load balancer notices the 503 and stops sending; the streams stop well inside the drain.
        try await Task.sleep(for: .milliseconds(500))
        stop.set()
        var tally = Tally()
        for stream in streams {
            let result = await stream.value
            tally.succeeded += result.succeeded
            tally.failed += result.failed
        }
        #expect(tally.failed.isEmpty, "\(tally.failed)")
        // Each of the four streams got answers; how many depends on the machine's load.
        #expect(tally.succeeded >= 4)

        let slowResponse = try await inFlight.value
        #expect(slowResponse.status == 200)
        #expect(slowResponse.bodyString == "slow")
        // The drain delay is over: the listener no longer accepts.
        await #expect(throws: (any Error).self) {
            try await HTTPTestClient.withConnection(port: port) { try await $0.send(uri: "/", host: "fast.test") }
        }

        let status = try await portico.process.waitForExit(timeout: .seconds(15))
        #expect(status == 0, "\(portico.process.output)")
        #expect(ContinuousClock.now - signalled >= drain, "exited before the drain delay")
        try await fast.close()
        try await slow.close()
    }

    @Test func aSecondSignalStopsAtOnce() async throws {
        let backend = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200))
        let folder = try TemporaryFolder(prefix: "portico-deploy", files: ["web.yaml": ManifestYAML.route("web", host: "web.test", port: backend.port)])
        defer { folder.remove() }
        let portico = try await Running.start(folder: folder, extra: ["--shutdown-drain-delay", "60s", "--shutdown-grace-period", "60s"])
        portico.process.signal(SIGTERM)
        #expect(try await portico.process.waitForOutput("listeners keep accepting during the drain delay", timeout: .seconds(5)))
        #expect(try await portico.readyz() == 503)
        let second = ContinuousClock.now
        portico.process.signal(SIGTERM)
        let status = try await portico.process.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0, "\(portico.process.output)")
        #expect(ContinuousClock.now - second < .seconds(10))
        #expect(portico.process.output.contains("SIGTERM received again"))
        try await backend.close()
    }
}
