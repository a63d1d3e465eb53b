import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("ProxyServer lifecycle")
struct LifecycleIntegrationTests {
    @Test func shutdownLetsTheInFlightRequestFinishAndStopsAccepting() async throws {
        let stub = try await UpstreamStub.start(
            name: "slow",
            // Long enough that the shutdown reaches the connection before the answer does, even
            // on a loaded machine; the test still ends as soon as the answer comes.
            behavior: .delay(.seconds(3), then: .fixed(status: 200, body: "done"))
        )
        let harness = try await ProxyHarness.start(makeTable([TestRoute(service: "slow", endpoints: [stub.endpoint])])) {
            $0.shutdownGracePeriod = .seconds(10)
        }
        async let inFlight = harness.send(uri: "/slow")
        let deadline = ContinuousClock.now + .seconds(5)
        while stub.receivedRequests == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await harness.stop()
        let response = try await inFlight
        #expect(response.status == 200)
        #expect(response.bodyString == "done")
        #expect(response.header("connection") == "close")
        await #expect(throws: (any Error).self) {
            _ = try await harness.send(uri: "/after")
        }
        try await stub.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func runReturnsWhenItsTaskIsCancelled() async throws {
        var logger = Logger(label: "portico.test")
        logger.logLevel = .warning
        let configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 1)
        let server = ProxyServer(configuration: configuration, routes: RouteTableStore(), logger: logger)
        let task = Task { try await server.run() }
        task.cancel()
        try await task.value
    }

    @Test func shutdownWithoutStartReleasesTheOwnedGroupAndCannotRestart() async throws {
        let server = ProxyServer(
            configuration: ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 1),
            routes: RouteTableStore(),
            logger: Logger(label: "portico.test")
        )
        try await server.shutdown()
        try await server.shutdown()
        await #expect(throws: ProxyServerError.self) {
            _ = try await server.start()
        }
    }
}
