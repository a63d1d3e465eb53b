import NIOHTTP1
import Testing

@testable import PorticoProxy

@Suite("HeaderRewriter")
struct HeaderRewriterTests {
    @Test func requestRewriteFollowsTheEdgeRules() {
        var head = HTTPRequestHead(version: .http1_0, method: .POST, uri: "/u")
        head.headers.add(name: "Host", value: "a.example.com")
        head.headers.add(name: "Connection", value: "keep-alive, X-Hop")
        head.headers.add(name: "X-Hop", value: "1")
        head.headers.add(name: "Expect", value: "100-continue")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        head.headers.add(name: "X-Forwarded-For", value: "1.2.3.4")
        head.headers.add(name: "X-Forwarded-Proto", value: "https")
        let facts = HeaderRewriter.rewriteRequest(&head, clientAddress: "10.0.0.9", listenerPort: "8080")
        #expect(facts.expectsContinue)
        #expect(facts.isChunked)
        #expect(head.version == .http1_1)
        #expect(head.headers["host"] == ["a.example.com"])
        #expect(!head.headers.contains(name: "connection"))
        #expect(!head.headers.contains(name: "x-hop"))
        #expect(!head.headers.contains(name: "expect"))
        #expect(head.headers["transfer-encoding"] == ["chunked"])
        #expect(head.headers["x-forwarded-for"] == ["1.2.3.4, 10.0.0.9"])
        #expect(head.headers["x-real-ip"] == ["10.0.0.9"])
        #expect(head.headers["x-forwarded-proto"] == ["http"])
        #expect(head.headers["x-forwarded-host"] == ["a.example.com"])
        #expect(head.headers["x-forwarded-port"] == ["8080"])
    }

    @Test func responseRewriteReportsUpstreamClose() {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Connection", value: "close, X-Hop")
        head.headers.add(name: "X-Hop", value: "1")
        head.headers.add(name: "Trailer", value: "x")
        head.headers.add(name: "Content-Length", value: "3")
        #expect(HeaderRewriter.rewriteResponse(&head))
        #expect(head.headers.map(\.name) == ["Content-Length"])

        var keepAlive = HTTPResponseHead(version: .http1_1, status: .ok)
        #expect(!HeaderRewriter.rewriteResponse(&keepAlive))
    }
}
