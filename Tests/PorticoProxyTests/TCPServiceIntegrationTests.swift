import Logging
import MetricsTestKit
import NIOCore
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// TCP services on 127.0.0.1: raw bytes both ways with backpressure and half-close, ports added,
/// changed and removed while another carries traffic, no endpoints, and PROXY protocol headers
/// decoded from clients and sent to backends.
@Suite struct TCPServiceIntegrationTests {
    static func cluster(_ name: String) -> ClusterID { ClusterID(namespace: "default", service: name, port: "9000") }

    /// A table of TCP services: table port → (service name, endpoints, flags).
    static func table(
        _ entries: [Int: (service: String, endpoints: [Endpoint])],
        decode: Bool = false,
        send: Bool = false,
        generation: UInt64 = 1
    ) -> RouteTable {
        var services: [Int: TCPService] = [:]
        var endpoints: [ClusterID: [Endpoint]] = [:]
        var clusters: [ClusterID: Cluster] = [:]
        for (port, entry) in entries {
            let id = cluster(entry.service)
            services[port] = TCPService(cluster: id, decodeProxyProtocol: decode, sendProxyProtocol: send)
            endpoints[id] = entry.endpoints
            clusters[id] = Cluster(id: id)
        }
        return RouteTable(generation: generation, virtualHosts: [], clusters: clusters, endpoints: endpoints, tcpServices: services)
    }

    static func withManager<Result>(
        _ table: RouteTable,
        metrics: TestMetrics? = nil,
        _ body: (TCPServiceManager, RouteTableStore) async throws -> Result
    ) async throws -> Result {
        var configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
        configuration.upstreamConnectTimeout = .seconds(2)
        configuration.tcpIdleTimeout = .seconds(30)
        var logger = Logger(label: "portico.test")
        logger.logLevel = .critical
        let store = RouteTableStore(table)
        let manager = TCPServiceManager(
            routes: store, group: MultiThreadedEventLoopGroup.singleton, configuration: configuration, logger: logger,
            bindPort: { _ in 0 },
            metricsFactory: metrics ?? TestMetrics()
        )
        await manager.apply(table)
        do {
            let result = try await body(manager, store)
            await manager.shutdown()
            return result
        } catch {
            await manager.shutdown()
            throw error
        }
    }

    /// Publishes `table` and applies it, as `run()` does on each publish.
    static func publish(_ table: RouteTable, _ store: RouteTableStore, _ manager: TCPServiceManager) async {
        store.publish(table)
        await manager.apply(table)
    }

    @Test func hundredMegabytesEachWayWithHalfClose() async throws {
        let echo = try await TCPEchoStub.start()
        defer { Task { try? await echo.close() } }
        try await Self.withManager(Self.table([5432: ("echo", [echo.endpoint])])) { manager, _ in
            let port = try #require(manager.boundPort(for: 5432))
            let total = 100 * 1024 * 1024
            let outcome = try await TCPTestClient.run(port: port, payload: .pattern(count: total), timeout: .seconds(90))
            #expect(outcome.receivedCount == total)
            #expect(outcome.matchesPattern)
            // The client's half-close reached the backend, whose own half-close came back.
            #expect(outcome.sawEnd)
        }
    }

    @Test func portsChangeAtRuntimeWithoutDisturbingAnOpenConnection() async throws {
        let first = try await TCPEchoStub.start()
        let second = try await TCPEchoStub.start()
        defer {
            Task {
                try? await first.close()
                try? await second.close()
            }
        }
        try await Self.withManager(Self.table([7000: ("first", [first.endpoint])])) { manager, store in
            let busyPort = try #require(manager.boundPort(for: 7000))
            try await InteractiveConnection.with(port: busyPort) { busy in
                #expect(try await busy.echo("one") == "one")

                // Add a port: it serves, and the busy connection goes on.
                await Self.publish(Self.table([7000: ("first", [first.endpoint]), 7001: ("second", [second.endpoint])], generation: 2), store, manager)
                #expect(manager.boundPort(for: 7000) == busyPort)
                let added = try #require(manager.boundPort(for: 7001))
                let outcome = try await TCPTestClient.run(port: added, payload: .bytes(Array("added".utf8)))
                #expect(outcome.head == Array("added".utf8))
                #expect(second.acceptedConnections == 1)
                #expect(try await busy.echo("two") == "two")

                // Change the busy port's backend: new connections go to the new one, the open
                // one keeps its backend.
                await Self.publish(Self.table([7000: ("second", [second.endpoint]), 7001: ("second", [second.endpoint])], generation: 3), store, manager)
                #expect(manager.boundPort(for: 7000) == busyPort)
                _ = try await TCPTestClient.run(port: busyPort, payload: .bytes(Array("moved".utf8)))
                #expect(second.acceptedConnections == 2)
                #expect(first.acceptedConnections == 1)
                #expect(try await busy.echo("three") == "three")

                // Remove both ports: no new connections, the open one finishes its exchange.
                await Self.publish(Self.table([:], generation: 4), store, manager)
                #expect(manager.boundPort(for: 7000) == nil)
                #expect(manager.boundPort(for: 7001) == nil)
                await #expect(throws: (any Error).self) {
                    _ = try await TCPTestClient.run(port: added, payload: .bytes([1]), timeout: .seconds(5))
                }
                #expect(try await busy.echo("four") == "four")
            }
        }
    }

    @Test func metricsCountConnectionsBytesAndConnectFailures() async throws {
        let echo = try await TCPEchoStub.start()
        defer { Task { try? await echo.close() } }
        let probe = try await TCPEchoStub.start()
        let deadEndpoint = probe.endpoint
        try await probe.close()
        let metrics = TestMetrics()
        let table = Self.table([7000: ("echo", [echo.endpoint]), 7001: ("dead", [deadEndpoint])])
        try await Self.withManager(table, metrics: metrics) { manager, _ in
            let echoPort = try #require(manager.boundPort(for: 7000))
            let deadPort = try #require(manager.boundPort(for: 7001))
            for _ in 0..<2 {
                let outcome = try await TCPTestClient.run(port: echoPort, payload: .pattern(count: 10_000), timeout: .seconds(10))
                #expect(outcome.receivedCount == 10_000)
            }
            _ = try await TCPTestClient.run(port: deadPort, payload: .bytes(Array("hello".utf8)), timeout: .seconds(10))

            let echoLabels = [("port", "7000"), ("service", "default/echo:9000")]
            let deadLabels = [("port", "7001"), ("service", "default/dead:9000")]
            #expect(try metrics.expectCounter("portico_tcp_connections_total", echoLabels).totalValue == 2)
            #expect(try metrics.expectCounter("portico_tcp_bytes_total", echoLabels + [("direction", "in")]).totalValue == 20_000)
            #expect(try metrics.expectCounter("portico_tcp_bytes_total", echoLabels + [("direction", "out")]).totalValue == 20_000)
            #expect(try metrics.expectCounter("portico_tcp_connect_failures_total", echoLabels).totalValue == 0)
            #expect(try metrics.expectCounter("portico_tcp_connect_failures_total", deadLabels).totalValue == 1)
            // Both sides have closed; the gauge follows once the proxy has seen the close.
            let active = try metrics.expectMeter("portico_tcp_active_connections", echoLabels)
            let deadline = ContinuousClock.now + .seconds(5)
            while active.lastValue != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(active.lastValue == 0)
        }
    }

    @Test func withoutEndpointsConnectionsAreClosed() async throws {
        try await Self.withManager(Self.table([6000: ("empty", [])])) { manager, _ in
            let port = try #require(manager.boundPort(for: 6000))
            let outcome = try await TCPTestClient.run(port: port, payload: .bytes(Array("hello".utf8)), timeout: .seconds(10))
            #expect(outcome.receivedCount == 0)
            #expect(outcome.sawEnd)
        }
    }

    @Test func aRefusedBackendClosesTheClient() async throws {
        try await RefusingPort.with { refusing in
            let deadEndpoint = Endpoint(host: "127.0.0.1", port: refusing)
            try await Self.withManager(Self.table([6001: ("dead", [deadEndpoint])])) { manager, _ in
                let port = try #require(manager.boundPort(for: 6001))
                let outcome = try await TCPTestClient.run(port: port, payload: .bytes(Array("hello".utf8)), timeout: .seconds(10))
                #expect(outcome.receivedCount == 0)
                #expect(outcome.sawEnd)
            }
        }
    }

    @Test func sendsAProxyHeaderWithTheClientAddress() async throws {
        let echo = try await TCPEchoStub.start()
        defer { Task { try? await echo.close() } }
        try await Self.withManager(Self.table([6002: ("echo", [echo.endpoint])], send: true)) { manager, _ in
            let port = try #require(manager.boundPort(for: 6002))
            let outcome = try await TCPTestClient.run(port: port, payload: .bytes(Array("hello".utf8)))
            let text = String(decoding: outcome.head, as: UTF8.self)
            #expect(text.hasPrefix("PROXY TCP4 127.0.0.1 127.0.0.1 "))
            #expect(text.hasSuffix(" \(port)\r\nhello"))
        }
    }

    @Test func decodesTheClientsProxyHeaderAndPassesItsAddressOn() async throws {
        let echo = try await TCPEchoStub.start()
        defer { Task { try? await echo.close() } }
        try await Self.withManager(Self.table([6003: ("echo", [echo.endpoint])], decode: true, send: true)) { manager, _ in
            let port = try #require(manager.boundPort(for: 6003))
            let sent = Array("PROXY TCP4 203.0.113.7 192.0.2.1 50000 6003\r\nhello".utf8)
            let outcome = try await TCPTestClient.run(port: port, payload: .bytes(sent))
            #expect(String(decoding: outcome.head, as: UTF8.self) == "PROXY TCP4 203.0.113.7 192.0.2.1 50000 6003\r\nhello")

            // A client without the header is closed without reaching the backend.
            let before = echo.acceptedConnections
            let refused = try await TCPTestClient.run(port: port, payload: .bytes(Array("hello\r\n".utf8)), timeout: .seconds(10))
            #expect(refused.receivedCount == 0)
            #expect(refused.sawEnd)
            #expect(echo.acceptedConnections == before)
        }
    }
}

/// One open connection for request/answer exchanges with an echo backend.
struct InteractiveConnection {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    static func with(port: Int, _ body: (inout InteractiveConnection) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var connection = InteractiveConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await body(&connection)
        }
    }

    /// Sends `text` and reads until as many bytes came back.
    mutating func echo(_ text: String) async throws -> String {
        try await self.outbound.write(ByteBuffer(string: text))
        var received = ByteBuffer()
        var iterator = self.inbound
        defer { self.inbound = iterator }
        while received.readableBytes < text.utf8.count {
            guard var part = try await iterator.next() else { break }
            received.writeBuffer(&part)
        }
        return String(buffer: received)
    }
}

