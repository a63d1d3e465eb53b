import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("Keep-alive with streaming upstreams through a real proxy", .timeLimit(.minutes(1)))
struct KeepAliveIntegrationTests {
    /// An echo upstream answers its response head while the client is still sending the body.
    /// The proxy used to decide keep-alive at that moment, announce `Connection: close` and
    /// close: the client's next request on the connection failed. Keep-alive is decided when
    /// the response ends, by which time the echo has seen (and the proxy read) the whole body.
    @Test func aResponseThatStartsBeforeTheRequestEndsKeepsTheConnection() async throws {
        let echo = try await UpstreamStub.start(name: "echo", behavior: .echo)
        let table = makeTable([TestRoute(service: "echo", endpoints: [echo.endpoint])])
        try await withProxy(table, stubs: [echo]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                let upload = try await client.send(
                    method: .POST,
                    uri: "/echo",
                    body: .generated(total: 4 * 1024 * 1024, chunkSize: 16 * 1024),
                    collectBody: false
                )
                #expect(upload.status == 200)
                #expect(upload.bodyByteCount == 4 * 1024 * 1024)
                #expect(upload.header("connection") != "close")
                let next = try await client.send(method: .POST, uri: "/echo", body: .string("second"))
                #expect(next.status == 200)
                #expect(next.bodyString == "second")
            }
        }
    }

    /// An upstream that answers in full before reading the body (an early rejection, nginx's
    /// `return`): the response goes out as it comes, the rest of the body is read and dropped,
    /// and the connection serves the next request, as behind nginx. It used to close.
    @Test func aResponseThatEndsBeforeTheRequestDoesKeepsTheConnection() async throws {
        let early = try await UpstreamStub.start(name: "early", behavior: .answerAtHead(status: 413, body: "too big"))
        let table = makeTable([TestRoute(service: "early", endpoints: [early.endpoint])])
        try await withProxy(table, stubs: [early]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<3 {
                    let upload = try await client.send(
                        method: .POST,
                        uri: "/upload",
                        body: .generated(total: 2 * 1024 * 1024, chunkSize: 16 * 1024)
                    )
                    #expect(upload.status == 413)
                    #expect(upload.bodyString == "too big")
                    #expect(upload.header("connection") != "close")
                }
                #expect(client.isOpen)
            }
            #expect(early.receivedRequests == 3)
        }
    }
}
