import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("HTTP message semantics through a real proxy")
struct SemanticsIntegrationTests {
    @Test func headResponseHasLengthButNoBody() async throws {
        let stub = try await UpstreamStub.start(name: "s", behavior: .fixed(status: 200, body: "twelve bytes"))
        try await withProxy(makeTable([TestRoute(service: "s", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                let head = try await client.send(method: .HEAD)
                #expect(head.status == 200)
                #expect(head.header("content-length") == "12")
                #expect(head.bodyByteCount == 0)
                // The connection is still in sync for the next request.
                let get = try await client.send()
                #expect(get.bodyString == "twelve bytes")
            }
        }
    }

    @Test(arguments: [204, 304])
    func bodilessStatusesKeepTheConnectionUsable(status: Int) async throws {
        let stub = try await UpstreamStub.start(name: "s", behavior: .fixed(status: status))
        try await withProxy(makeTable([TestRoute(service: "s", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<2 {
                    let response = try await client.send()
                    #expect(response.status == status)
                    #expect(response.bodyByteCount == 0)
                }
            }
        }
    }

    @Test func expectContinueIsAnsweredByTheProxy() async throws {
        let stub = try await UpstreamStub.start(name: "s", behavior: .echo)
        try await withProxy(makeTable([TestRoute(service: "s", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                let response = try await client.send(
                    method: .POST,
                    headers: [("Expect", "100-continue")],
                    body: .string("payload"),
                    waitForContinue: true
                )
                #expect(response.informational == [.continue])
                #expect(response.status == 200)
                #expect(response.bodyString == "payload")
                #expect(response.header("x-seen-expect") == nil)
            }
        }
    }

    @Test func chunkedRequestBodyIsRelayed() async throws {
        let stub = try await UpstreamStub.start(name: "s", behavior: .echo)
        try await withProxy(makeTable([TestRoute(service: "s", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
            #expect(raw.hasPrefix("HTTP/1.1 200"))
            #expect(raw.contains("x-seen-transfer-encoding: chunked"))
            #expect(raw.contains("hello"))
            #expect(raw.contains(" world"))
        }
    }

    @Test func http10ClientGetsAnHTTP10ResponseAndClose() async throws {
        let stub = try await UpstreamStub.start(name: "s", behavior: .echo)
        try await withProxy(makeTable([TestRoute(service: "s", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "POST / HTTP/1.0\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            )
            // The echo stub answers chunked; HTTP/1.0 has no chunks, so the body ends at close.
            #expect(raw.hasPrefix("HTTP/1.0 200"))
            #expect(raw.hasSuffix("abc"))
            #expect(!raw.lowercased().contains("transfer-encoding"))
        }
    }

    @Test func connectionCloseFromTheClientIsHonored() async throws {
        let stub = try await UpstreamStub.start(name: "s", behavior: .fixed(status: 200, body: "x"))
        try await withProxy(makeTable([TestRoute(service: "s", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                let response = try await client.send(headers: [("Connection", "close")])
                #expect(response.header("connection") == "close")
                #expect(await client.waitForClose(timeout: .seconds(5)))
            }
        }
    }
}
