import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("Upstream connections and failures through a real proxy")
struct UpstreamIntegrationTests {
    @Test func refusedConnectionGets502() async throws {
        try await RefusingPort.with { port in
            let table = makeTable([TestRoute(service: "down", endpoints: [Endpoint(host: "127.0.0.1", port: port)])])
            try await withProxy(table) { proxy in
                let response = try await proxy.send()
                #expect(response.status == 502)
                #expect(!response.bodyString.isEmpty)
            }
        }
    }

    @Test func upstreamThatNeverAnswersGets504() async throws {
        let stub = try await UpstreamStub.start(name: "silent", behavior: .neverAnswer)
        let table = makeTable([TestRoute(service: "silent", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub], configure: { $0.upstreamResponseTimeout = .milliseconds(200) }) { proxy in
            let response = try await proxy.send()
            #expect(response.status == 504)
            #expect(response.bodyString == "upstream request timeout\n")
        }
    }

    @Test func upstreamResetBeforeResponseGets502() async throws {
        let stub = try await UpstreamStub.start(name: "rude", behavior: .closeWithoutAnswer)
        let table = makeTable([TestRoute(service: "rude", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            let response = try await proxy.send()
            #expect(response.status == 502)
        }
    }

    @Test func keepAliveConnectionsToTheUpstreamAreReused() async throws {
        let stub = try await UpstreamStub.start(name: "ka", behavior: .fixed(status: 200, body: "hi"))
        let table = makeTable([TestRoute(service: "ka", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<20 {
                    let response = try await client.send(uri: "/")
                    #expect(response.bodyString == "hi")
                }
            }
            #expect(stub.receivedRequests == 20)
            #expect(stub.acceptedConnections == 1)
        }
    }

    @Test func staleReusedConnectionIsRetriedOnAFreshOne() async throws {
        let stub = try await UpstreamStub.start(
            name: "stale",
            behavior: .closeReusedConnections(first: .fixed(status: 200, body: "fresh"))
        )
        let table = makeTable([TestRoute(service: "stale", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                let first = try await client.send(uri: "/1")
                #expect(first.status == 200)
                let second = try await client.send(uri: "/2")
                #expect(second.status == 200)
                #expect(second.bodyString == "fresh")
            }
            #expect(stub.acceptedConnections == 2)
        }
    }

    @Test func connectionClosedByTheUpstreamWhileIdleIsNotReused() async throws {
        let stub = try await UpstreamStub.start(
            name: "closer",
            behavior: .fixed(status: 200, headers: [("Connection", "close")], body: "bye")
        )
        let table = makeTable([TestRoute(service: "closer", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<3 {
                    let response = try await client.send(uri: "/")
                    #expect(response.bodyString == "bye")
                }
                // The client's own connection stays open: `Connection: close` is hop-by-hop.
                #expect(client.isOpen)
            }
            #expect(stub.acceptedConnections == 3)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func upstreamFailureAfterTheResponseHeadClosesTheClientConnection() async throws {
        let stub = try await UpstreamStub.start(name: "cut", behavior: .truncated(announced: 1000, sent: 10))
        let table = makeTable([TestRoute(service: "cut", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            // The status was already sent, so the only honest signal left is closing the client
            // connection: the response stream ends before its announced length.
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                await #expect(throws: (any Error).self) {
                    _ = try await client.send()
                }
                #expect(await client.waitForClose(timeout: .seconds(5)))
            }
        }
    }

    @Test func idlePooledConnectionIsClosedAfterTheIdleTimeout() async throws {
        let stub = try await UpstreamStub.start(name: "idle", behavior: .fixed(status: 200, body: "x"))
        let table = makeTable([TestRoute(service: "idle", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub], configure: { $0.upstreamIdleTimeout = .milliseconds(100) }) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                _ = try await client.send()
                let deadline = ContinuousClock.now + .seconds(5)
                while stub.closedConnections == 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(stub.closedConnections == 1)
                let again = try await client.send()
                #expect(again.status == 200)
            }
            #expect(stub.acceptedConnections == 2)
        }
    }

    @Test func noIdleConnectionsAreKeptWhenThePoolSizeIsZero() async throws {
        let stub = try await UpstreamStub.start(name: "nopool", behavior: .fixed(status: 200, body: "x"))
        let table = makeTable([TestRoute(service: "nopool", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub], configure: { $0.upstreamMaxIdlePerEndpoint = 0 }) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<3 {
                    let response = try await client.send()
                    #expect(response.status == 200)
                }
            }
            #expect(stub.acceptedConnections == 3)
        }
    }
}
