import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("Concurrent clients through a real proxy", .timeLimit(.minutes(1)))
struct ConcurrencyIntegrationTests {
    @Test func manyClientsWithKeepAliveAllGetTheirOwnAnswers() async throws {
        let first = try await UpstreamStub.start(name: "a", behavior: .echo)
        let second = try await UpstreamStub.start(name: "b", behavior: .echo)
        let table = makeTable([TestRoute(service: "ab", endpoints: [first.endpoint, second.endpoint])])
        try await withProxy(table, stubs: [first, second]) { proxy in
            let port = proxy.port
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for clientIndex in 0..<40 {
                    group.addTask {
                        try await HTTPTestClient.withConnection(port: port) { client in
                            var failures = 0
                            for requestIndex in 0..<10 {
                                let payload = "client \(clientIndex) request \(requestIndex)"
                                let response = try await client.send(method: .POST, uri: "/echo", body: .string(payload))
                                if response.status != 200 || response.bodyString != payload { failures += 1 }
                            }
                            return failures
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(failures == 0)
            #expect(first.receivedRequests + second.receivedRequests == 400)
            // Pools reuse connections: far fewer upstream connections than requests.
            #expect(first.acceptedConnections + second.acceptedConnections <= 80)
        }
    }
}
