import NIOCore
import NIOHTTP1
import NIOPosix
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
    /// A request that asks to close gets its whole response before the close, also when the
    /// client reads slowly. The proxy closes at once when its last flush left nothing
    /// buffered, else after an empty write queued behind the rest (the way every close went
    /// before; which way a run takes depends on the kernel's buffers).
    @Test func aSlowReaderAskingToCloseGetsItsWholeResponseFirst() async throws {
        let size = 24 * 1024 * 1024
        let big = try await UpstreamStub.start(name: "big", behavior: .fixed(status: 200, body: String(repeating: "z", count: size)))
        let table = makeTable([TestRoute(service: "big", endpoints: [big.endpoint])])
        try await withProxy(table, stubs: [big]) { proxy in
            // A small receive buffer, read slowly: the proxy's last writes find the socket full.
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_rcvbuf), value: 8192)
                .connect(host: "127.0.0.1", port: proxy.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            let received = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
                // Not reading for a while: the socket buffers fill, and the proxy holds the rest.
                try await Task.sleep(for: .milliseconds(300))
                var count = 0
                for try await buffer in inbound {
                    count += buffer.readableBytes
                    try await Task.sleep(for: .microseconds(200))
                }
                return count
            }
            #expect(received > size)
            #expect(received < size + 1024, "the head and the body, nothing more")
        }
    }

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
