import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// 100 MB each way, generated on the fly: proves the body is streamed (never held whole) and
/// that backpressure keeps memory bounded, in bounded time.
@Suite("Streaming large bodies through a real proxy", .timeLimit(.minutes(1)))
struct StreamingIntegrationTests {
    static let size = 100 * 1024 * 1024

    @Test func uploads100MegabytesToASink() async throws {
        let stub = try await UpstreamStub.start(name: "sink", behavior: .sink)
        try await withProxy(makeTable([TestRoute(service: "sink", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await HTTPTestClient.withConnection(port: proxy.port) { client in
                try await client.send(method: .PUT, uri: "/upload", body: .generated(total: Self.size))
            }
            #expect(response.status == 200)
            #expect(response.header("x-received-bytes") == String(Self.size))
        }
    }

    @Test func uploads100MegabytesChunkedThroughAnEcho() async throws {
        let stub = try await UpstreamStub.start(name: "echo", behavior: .echo)
        try await withProxy(makeTable([TestRoute(service: "echo", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await HTTPTestClient.withConnection(port: proxy.port) { client in
                try await client.send(
                    method: .POST,
                    uri: "/echo",
                    headers: [("Transfer-Encoding", "chunked")],
                    body: .generated(total: Self.size),
                    collectBody: false
                )
            }
            #expect(response.status == 200)
            #expect(response.bodyByteCount == Self.size)
        }
    }

    @Test func downloads100MegabytesFromAStreamingUpstream() async throws {
        let stub = try await UpstreamStub.start(name: "big", behavior: .stream(bytes: Self.size))
        try await withProxy(makeTable([TestRoute(service: "big", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await HTTPTestClient.withConnection(port: proxy.port) { client in
                try await client.send(uri: "/big", collectBody: false)
            }
            #expect(response.status == 200)
            #expect(response.header("content-length") == String(Self.size))
            #expect(response.bodyByteCount == Self.size)
        }
    }
}
