import Logging
import NIOCore
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// WebSocket over HTTP/1.1 Upgrade through the proxy, on real sockets: the handshake, frames
/// both ways (1 MiB of them), close propagation, refused upgrades, table swaps, the idle
/// timeout and the TLS listener.
@Suite struct WebSocketIntegrationTests {
    func withEcho<Result>(
        acceptUpgrades: Bool = true,
        configure: (inout ProxyConfiguration) -> Void = { _ in },
        _ body: (ProxyHarness, WebSocketEchoStub) async throws -> Result
    ) async throws -> Result {
        let stub = try await WebSocketEchoStub.start(acceptUpgrades: acceptUpgrades)
        do {
            let result = try await withProxy(makeTable([TestRoute(service: "ws", endpoints: [stub.endpoint])]), configure: configure) {
                try await body($0, stub)
            }
            try await stub.close()
            return result
        } catch {
            try? await stub.close()
            throw error
        }
    }

    @Test func upgradeSucceedsAndFramesEchoBothWays() async throws {
        try await withEcho { harness, stub in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                let head = try await client.handshake()
                #expect(head.status == 101)
                #expect(head.headers["sec-websocket-accept"] == WebSocketTestClient.expectedAccept)
                #expect(head.headers["upgrade"]?.lowercased() == "websocket")
                #expect(head.headers["connection"]?.lowercased() == "upgrade")
                try await client.send(text: "hello")
                #expect(try await client.readFrame() == .init(opcode: 0x1, payload: Array("hello".utf8)))
                try await client.send([1, 2, 3])
                #expect(try await client.readFrame() == .init(opcode: 0x2, payload: [1, 2, 3]))
            }
            let seen = try #require(stub.upgradeRequests.first)
            #expect(seen["upgrade"] == "websocket")
            #expect(seen["connection"]?.lowercased() == "upgrade")
            #expect(seen["x-forwarded-for"] == "127.0.0.1")
        }
    }

    @Test func oneMebibyteOfFramesEchoesBothWays() async throws {
        try await withEcho { harness, _ in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                #expect(try await client.handshake().status == 101)
                let frames = 64
                let payload = (0..<16 * 1024).map { UInt8(truncatingIfNeeded: $0) }
                for _ in 0..<frames { try await client.send(payload) }
                var received = 0
                for _ in 0..<frames {
                    let frame = try await client.readFrame()
                    #expect(frame.payload == payload)
                    received += frame.payload.count
                }
                #expect(received == 1024 * 1024)
            }
        }
    }

    @Test func clientCloseReachesTheUpstream() async throws {
        try await withEcho { harness, stub in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                #expect(try await client.handshake().status == 101)
                try await client.send(text: "x")
                _ = try await client.readFrame()
            }
            let deadline = NIODeadline.now() + .seconds(5)
            while stub.closedConnections < 1, NIODeadline.now() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stub.closedConnections == 1)
        }
    }

    @Test func closeFrameIsRelayedAndTheUpstreamCloseEndsTheClient() async throws {
        try await withEcho { harness, _ in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                #expect(try await client.handshake().status == 101)
                try await client.send(opcode: 0x8, [0x03, 0xE8])
                #expect(try await client.readFrame() == .init(opcode: 0x8, payload: [0x03, 0xE8]))
                #expect(await client.waitForClose())
            }
        }
    }

    @Test func refusedUpgradeIsRelayedAsAResponse() async throws {
        try await withEcho(acceptUpgrades: false) { harness, _ in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                let head = try await client.handshake()
                #expect(head.status == 426)
                #expect(head.headers["upgrade"] == nil)
                #expect(head.headers["x-seen-upgrade"] == "websocket")
                #expect(head.headers["x-seen-connection"]?.lowercased() == "upgrade")
                let length = try #require(head.headers["content-length"].flatMap { Int($0) })
                #expect(String(decoding: try await client.readBytes(length), as: UTF8.self) == "upgrade refused")
                // The downstream decoder stopped at the upgrade request: the proxy says so and closes.
                #expect(head.headers["connection"] == "close")
                #expect(await client.waitForClose())
            }
        }
    }

    @Test func upgradeHeaderWithoutConnectionUpgradeIsAPlainRequest() async throws {
        try await withEcho { harness, stub in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                let head = try await client.handshake(connection: "keep-alive")
                #expect(head.status == 426)
                #expect(head.headers["x-seen-upgrade"] == "")
                let length = try #require(head.headers["content-length"].flatMap { Int($0) })
                _ = try await client.readBytes(length)
                // An ordinary request: the connection stays usable for the next one.
                #expect(head.headers["connection"] != "close")
                let again = try await client.handshake(connection: "keep-alive")
                #expect(again.status == 426)
            }
            #expect(stub.upgradeRequests.isEmpty)
        }
    }

    @Test func survivesTwentyTableSwaps() async throws {
        try await withEcho { harness, stub in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                #expect(try await client.handshake().status == 101)
                for generation in 2...21 {
                    // Each swap drops the route to the echo entirely: only new requests see it.
                    let other = TestRoute(service: "other", endpoints: [Endpoint(host: "127.0.0.1", port: 1)])
                    harness.store.publish(makeTable([other], generation: UInt64(generation)))
                    try await client.send(text: "swap \(generation)")
                    #expect(try await client.readFrame() == .init(opcode: 0x1, payload: Array("swap \(generation)".utf8)))
                }
                #expect(client.isOpen)
            }
            #expect(stub.acceptedConnections == 1)
        }
    }

    @Test func idleTimeoutClosesAnUpgradedConnection() async throws {
        try await withEcho(configure: { $0.upgradedIdleTimeout = .seconds(2) }) { harness, stub in
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                #expect(try await client.handshake().status == 101)
                // Taken before the last byte passes the proxy, so the idle time cannot have
                // started earlier, however late this task runs on a loaded machine.
                let start = NIODeadline.now()
                try await client.send(text: "ping")
                _ = try await client.readFrame()
                #expect(await client.waitForClose())
                #expect(NIODeadline.now() - start >= .milliseconds(1900))
            }
            let deadline = NIODeadline.now() + .seconds(5)
            while stub.closedConnections < 1, NIODeadline.now() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stub.closedConnections == 1)
        }
    }

    @Test func gracefulShutdownClosesUpgradedConnectionsAfterTheGracePeriod() async throws {
        let stub = try await WebSocketEchoStub.start()
        let harness = try await ProxyHarness.start(makeTable([TestRoute(service: "ws", endpoints: [stub.endpoint])])) {
            $0.shutdownGracePeriod = .milliseconds(300)
        }
        do {
            try await WebSocketTestClient.withConnection(port: harness.port) { client in
                #expect(try await client.handshake().status == 101)
                try await client.send(text: "before")
                _ = try await client.readFrame()
                let start = NIODeadline.now()
                async let stopped: Void = harness.stop()
                #expect(await client.waitForClose())
                #expect(NIODeadline.now() - start >= .milliseconds(200))
                try await stopped
            }
            try await stub.close()
        } catch {
            try? await harness.stop()
            try? await stub.close()
            throw error
        }
    }

    @Test func upgradeWorksOnTheTLSListener() async throws {
        let stub = try await WebSocketEchoStub.start()
        let routes = RouteTableStore(makeTable([TestRoute(service: "ws", endpoints: [stub.endpoint])]))
        var configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
        configuration.httpsPort = 0
        configuration.shutdownGracePeriod = .seconds(2)
        var logger = Logger(label: "portico.test")
        logger.logLevel = .warning
        let server = ProxyServer(
            configuration: configuration, routes: routes, logger: logger, group: MultiThreadedEventLoopGroup.singleton,
            certificates: try CertificateStore.withGeneratedDefault()
        )
        do {
            _ = try await server.start()
            let httpsPort = try #require(server.httpsPort)
            try await WebSocketTestClient.withConnection(port: httpsPort, tls: TLSClientSettings(serverName: "example.com")) { client in
                let head = try await client.handshake()
                #expect(head.status == 101)
                #expect(head.headers["sec-websocket-accept"] == WebSocketTestClient.expectedAccept)
                try await client.send(text: "over tls")
                #expect(try await client.readFrame() == .init(opcode: 0x1, payload: Array("over tls".utf8)))
            }
            try await server.shutdown()
            try await stub.close()
        } catch {
            try? await server.shutdown()
            try? await stub.close()
            throw error
        }
    }
}
