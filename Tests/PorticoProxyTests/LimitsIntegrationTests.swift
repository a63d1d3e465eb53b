import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("Limits, framing and timeouts through a real proxy")
struct LimitsIntegrationTests {
    private func statusLine(_ raw: String) -> Substring {
        raw.split(separator: "\r\n", maxSplits: 1).first ?? ""
    }

    @Test func contentLengthWithTransferEncodingGets400() async throws {
        let stub = try await UpstreamStub.start(name: "f")
        try await withProxy(makeTable([TestRoute(service: "f", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            )
            #expect(self.statusLine(raw).hasPrefix("HTTP/1.1 400"))
            #expect(stub.receivedRequests == 0)
        }
    }

    @Test func differingDuplicateContentLengthsGet400() async throws {
        let stub = try await UpstreamStub.start(name: "f")
        try await withProxy(makeTable([TestRoute(service: "f", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
            )
            #expect(self.statusLine(raw).hasPrefix("HTTP/1.1 400"))
            #expect(stub.receivedRequests == 0)
        }
    }

    @Test func invalidChunkSizeGets400OrClose() async throws {
        let stub = try await UpstreamStub.start(name: "f", behavior: .sink)
        try await withProxy(makeTable([TestRoute(service: "f", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
            )
            // The head was valid and may already be on its way upstream; the broken body then
            // ends the exchange. Either a 400 or a closed connection without success is right.
            #expect(!raw.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func oversizedHeadGets431() async throws {
        let stub = try await UpstreamStub.start(name: "f")
        let table = makeTable([TestRoute(service: "f", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub], configure: { $0.maxHeaderBytes = 1024 }) { proxy in
            let big = String(repeating: "a", count: 2048)
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(big)\r\n\r\n"
            )
            #expect(self.statusLine(raw).hasPrefix("HTTP/1.1 431"))
            #expect(stub.receivedRequests == 0)
        }
    }

    @Test func slowHeadGets408AndClose() async throws {
        try await withProxy(makeTable([]), configure: { $0.headerReadTimeout = .milliseconds(200) }) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ",
                timeout: .seconds(5)
            )
            #expect(self.statusLine(raw).hasPrefix("HTTP/1.1 408"))
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        let stub = try await UpstreamStub.start(name: "f")
        let table = makeTable([TestRoute(service: "f", endpoints: [stub.endpoint])])
        // The request must go out before the idle time passes, so not too short for a loaded
        // machine; the close is awaited, not slept for.
        try await withProxy(table, stubs: [stub], configure: { $0.idleTimeout = .seconds(2) }) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                let response = try await client.send()
                #expect(response.status == 200)
                #expect(await client.waitForClose(timeout: .seconds(6)))
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let slow = try await UpstreamStub.start(name: "slow", behavior: .delay(.milliseconds(150), then: .fixed(status: 200, body: "first")))
        let fast = try await UpstreamStub.start(name: "fast", behavior: .fixed(status: 200, body: "second"))
        let table = makeTable([
            TestRoute(path: .prefix("/slow"), service: "slow", endpoints: [slow.endpoint]),
            TestRoute(path: .prefix("/fast"), service: "fast", endpoints: [fast.endpoint]),
        ])
        try await withProxy(table, stubs: [slow, fast]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            )
            let first = try #require(raw.firstRange(of: "first"))
            let second = try #require(raw.firstRange(of: "second"))
            #expect(first.lowerBound < second.lowerBound)
        }
    }

    /// Each of `markers` is in `raw`, each one after the one before.
    private static func expectInOrder(_ raw: String, _ markers: [String]) throws {
        var after = raw.startIndex
        for marker in markers {
            let found = try #require(raw[after...].firstRange(of: marker), "\(marker) missing or out of order")
            after = found.upperBound
        }
    }

    /// A proxy routing `/slow` to an upstream that answers "first" after 150 ms and `/echo` to
    /// one that echoes the request body: pipelined requests queue behind the slow one.
    private func withSlowAndEcho(_ body: (ProxyHarness) async throws -> Void) async throws {
        let slow = try await UpstreamStub.start(name: "slow", behavior: .delay(.milliseconds(150), then: .fixed(status: 200, body: "first")))
        let echo = try await UpstreamStub.start(name: "echo", behavior: .echo)
        let table = makeTable([
            TestRoute(path: .prefix("/slow"), service: "slow", endpoints: [slow.endpoint]),
            TestRoute(path: .prefix("/echo"), service: "echo", endpoints: [echo.endpoint]),
        ])
        try await withProxy(table, stubs: [slow, echo], body)
    }

    @Test func pipelinedRequestsWithBodiesAreRelayedInOrder() async throws {
        try await self.withSlowAndEcho { proxy in
            // Three requests in one write: the second and third (one of them chunked) arrive
            // while the first is still waiting for its slow upstream.
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nalpha"
                    + "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbeta\r\n0\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\ngamma"
            )
            try Self.expectInOrder(raw, ["first", "beta", "gamma"])
            #expect(raw.split(separator: "HTTP/1.1 200", omittingEmptySubsequences: false).count == 4)
        }
    }

    /// More requests pipelined behind a slow one than `PipelinedRequests` holds, with more body
    /// bytes than it holds too (20 KB each): reads stop at the bounds and resume as the queue
    /// drains, and every request is answered in order.
    @Test func pipelinedRequestsBeyondTheQueueBoundAreAllAnsweredInOrder() async throws {
        try await self.withSlowAndEcho { proxy in
            let count = 12  // three times what `PipelinedRequests` holds before reads stop
            var bytes = "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"
            let padding = String(repeating: "x", count: 20_000)
            for index in 0..<count {
                let body = "body-\(index < 10 ? "0" : "")\(index)" + padding
                let close = index == count - 1 ? "Connection: close\r\n" : ""
                bytes += "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\(close)\r\n\(body)"
            }
            let raw = try await HTTPTestClient.rawExchange(port: proxy.port, bytes: bytes)
            var last = try #require(raw.firstRange(of: "first")).lowerBound
            for index in 0..<count {
                let body = "body-\(index < 10 ? "0" : "")\(index)"
                let found = try #require(raw.firstRange(of: body), "\(body) missing")
                #expect(last < found.lowerBound, "\(body) out of order")
                last = found.lowerBound
            }
            #expect(raw.split(separator: "HTTP/1.1 200", omittingEmptySubsequences: false).count == count + 2)
            #expect(raw.utf8.count > count * padding.utf8.count)
        }
    }

    /// A malformed request behind one still waiting for its upstream is answered with 400 in
    /// its turn, after that response, and the connection closes.
    @Test func aMalformedRequestBehindAProxiedOneGets400InItsTurn() async throws {
        let slow = try await UpstreamStub.start(name: "slow", behavior: .delay(.milliseconds(150), then: .fixed(status: 200, body: "first")))
        let table = makeTable([TestRoute(path: .prefix("/slow"), service: "slow", endpoints: [slow.endpoint])])
        try await withProxy(table, stubs: [slow]) { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost a\r\n\r\n"
            )
            let first = try #require(raw.firstRange(of: "first"))
            let rejected = try #require(raw.firstRange(of: "HTTP/1.1 400 Bad Request"))
            #expect(first.upperBound <= rejected.lowerBound)
            #expect(slow.receivedRequests == 1)
        }
    }

    /// The same behind a pipelined request that is itself proxied: its body and end go on at
    /// once, the parse error waits for its response.
    @Test func aMalformedRequestBehindTwoProxiedOnesGets400AfterBoth() async throws {
        try await self.withSlowAndEcho { proxy in
            let raw = try await HTTPTestClient.rawExchange(
                port: proxy.port,
                bytes: "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /2 HTTP/1.1\r\nHost a\r\n\r\n"
            )
            try Self.expectInOrder(raw, ["first", "hello", "HTTP/1.1 400 Bad Request"])
        }
    }

    @Test func connectionsOverTheLimitAreClosedAtOnce() async throws {
        let stub = try await UpstreamStub.start(name: "f")
        let table = makeTable([TestRoute(service: "f", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub], configure: { $0.maxConnections = 1 }) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { first in
                let response = try await first.send()
                #expect(response.status == 200)
                let raw = try await HTTPTestClient.rawExchange(
                    port: proxy.port,
                    bytes: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                    timeout: .seconds(5)
                )
                #expect(raw.isEmpty)
            }
        }
    }
}
