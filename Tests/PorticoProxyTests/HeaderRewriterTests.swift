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

    /// The proxy hands every request of a loop the same list to collect the appended fields
    /// in: each head gets its own fields only, and the list comes back empty.
    @Test func oneCollectingListServesRequestAfterRequest() {
        var added: [(String, String)] = []
        for (index, host) in ["a.example.com", "b.example.com"].enumerated() {
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
            head.headers.add(name: "Host", value: host)
            let client = "10.0.0.\(index + 1)"
            _ = HeaderRewriter.rewriteRequest(&head, clientAddress: client, listenerPort: "80", scheme: "http", collectingIn: &added)
            #expect(added.isEmpty)
            #expect(head.headers["x-forwarded-for"] == [client])
            #expect(head.headers["x-real-ip"] == [client])
            #expect(head.headers["x-forwarded-host"] == [host])
            #expect(head.headers["x-forwarded-proto"] == ["http"])
            #expect(head.headers["x-forwarded-port"] == ["80"])
            #expect(head.headers.count == 6)
        }
    }

    @Test func upgradeRequestsKeepConnectionUpgradeAndUpgrade() {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/chat")
        head.headers.add(name: "Host", value: "a.example.com")
        head.headers.add(name: "Connection", value: "keep-alive, UPGRADE")
        head.headers.add(name: "Upgrade", value: "WebSocket")
        head.headers.add(name: "Keep-Alive", value: "timeout=5")
        head.headers.add(name: "Sec-WebSocket-Key", value: "k")
        let facts = HeaderRewriter.rewriteRequest(&head, clientAddress: "10.0.0.9", listenerPort: "8080")
        #expect(facts.upgrade == "WebSocket")
        #expect(head.headers["connection"] == ["upgrade"])
        #expect(head.headers["upgrade"] == ["WebSocket"])
        #expect(!head.headers.contains(name: "keep-alive"))
        #expect(head.headers["sec-websocket-key"] == ["k"])
        #expect(head.headers["x-forwarded-for"] == ["10.0.0.9"])
    }

    @Test func onlyHTTP11GetWithConnectionUpgradeIsAnUpgrade() {
        func head(_ method: HTTPMethod, _ version: HTTPVersion, connection: String?) -> HTTPRequestHead {
            var head = HTTPRequestHead(version: version, method: method, uri: "/")
            head.headers.add(name: "Upgrade", value: "websocket")
            if let connection { head.headers.add(name: "Connection", value: connection) }
            return head
        }
        #expect(HeaderRewriter.upgradeProtocol(head(.GET, .http1_1, connection: "Upgrade")) == "websocket")
        #expect(HeaderRewriter.upgradeProtocol(head(.GET, .http1_1, connection: nil)) == nil)
        #expect(HeaderRewriter.upgradeProtocol(head(.GET, .http1_1, connection: "keep-alive")) == nil)
        #expect(HeaderRewriter.upgradeProtocol(head(.POST, .http1_1, connection: "upgrade")) == nil)
        #expect(HeaderRewriter.upgradeProtocol(head(.GET, .http1_0, connection: "upgrade")) == nil)
        var plain = head(.GET, .http1_1, connection: nil)
        _ = HeaderRewriter.rewriteRequest(&plain, clientAddress: nil, listenerPort: "80")
        #expect(!plain.headers.contains(name: "upgrade"))
    }

    @Test func switchingResponseKeepsUpgradeAndDropsOtherHopByHop() {
        var head = HTTPResponseHead(version: .http1_1, status: .switchingProtocols)
        head.headers.add(name: "Connection", value: "Upgrade, X-Hop")
        head.headers.add(name: "Upgrade", value: "websocket")
        head.headers.add(name: "X-Hop", value: "1")
        head.headers.add(name: "Sec-WebSocket-Accept", value: "a")
        HeaderRewriter.rewriteSwitchingResponse(&head)
        #expect(head.headers["connection"] == ["upgrade"])
        #expect(head.headers["upgrade"] == ["websocket"])
        #expect(!head.headers.contains(name: "x-hop"))
        #expect(head.headers["sec-websocket-accept"] == ["a"])
    }

    @Test func responseRewriteReportsUpstreamClose() {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Connection", value: "close, X-Hop")
        head.headers.add(name: "X-Hop", value: "1")
        head.headers.add(name: "Trailer", value: "x")
        head.headers.add(name: "Content-Length", value: "3")
        #expect(HeaderRewriter.rewriteResponse(&head).upstreamCloses)
        #expect(head.headers.map(\.name) == ["Content-Length"])

        var keepAlive = HTTPResponseHead(version: .http1_1, status: .ok)
        #expect(!HeaderRewriter.rewriteResponse(&keepAlive).upstreamCloses)
    }

    /// Whether the upstream closes after a response is read in the same scan that strips the
    /// hop-by-hop headers; it must agree with `HTTP1KeepAlive` (NIO's rule) for every version
    /// and `Connection` field.
    @Test func upstreamCloseAgreesWithTheKeepAliveRuleForEveryVersionAndConnectionField() {
        let fields: [[String]] = [
            [], ["close"], ["keep-alive"], ["Keep-Alive"], ["CLOSE"], ["keep-alive, close"], ["close", "keep-alive"],
            ["x-a, keep-alive"], ["upgrade"], [" close ,x"], ["closed"], ["keep-alive-ish"],
        ]
        for version in [HTTPVersion.http1_0, .http1_1, HTTPVersion(major: 1, minor: 2)] {
            for values in fields {
                var head = HTTPResponseHead(version: version, status: .ok)
                for value in values { head.headers.add(name: "Connection", value: value) }
                let expected = !HTTP1KeepAlive.isKeepAlive(head.headers, version: version)
                #expect(HeaderRewriter.rewriteResponse(&head).upstreamCloses == expected, "\(version) \(values)")
                #expect(!head.headers.contains(name: "connection"))
            }
        }
    }

    @Test func proxyOwnedHeadersAreSetOnceWhetherTheClientSentThemOrNot() {
        var plain = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        plain.headers.add(name: "Host", value: "a.example.com")
        _ = HeaderRewriter.rewriteRequest(&plain, clientAddress: "10.0.0.9", listenerPort: "80")
        for (name, value) in [
            ("x-forwarded-for", "10.0.0.9"), ("x-real-ip", "10.0.0.9"), ("x-forwarded-host", "a.example.com"),
            ("x-forwarded-proto", "http"), ("x-forwarded-port", "80"),
        ] {
            #expect(plain.headers[name] == [value], "\(name)")
        }

        var spoofed = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        spoofed.headers.add(name: "Host", value: "a.example.com")
        spoofed.headers.add(name: "X-REAL-IP", value: "6.6.6.6")
        spoofed.headers.add(name: "x-forwarded-host", value: "evil.example")
        spoofed.headers.add(name: "X-Forwarded-Port", value: "1")
        spoofed.headers.add(name: "x-forwarded-proto", value: "gopher")
        _ = HeaderRewriter.rewriteRequest(&spoofed, clientAddress: "10.0.0.9", listenerPort: "80", scheme: "https")
        #expect(spoofed.headers["x-real-ip"] == ["10.0.0.9"])
        #expect(spoofed.headers["x-forwarded-host"] == ["a.example.com"])
        #expect(spoofed.headers["x-forwarded-port"] == ["80"])
        #expect(spoofed.headers["x-forwarded-proto"] == ["https"])
    }

    @Test func forwardedForNamedInConnectionIsDroppedThenSetAfresh() {
        // `Connection` names it, so it is hop-by-hop and goes before the proxy appends.
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        head.headers.add(name: "Connection", value: "X-Forwarded-For")
        head.headers.add(name: "X-Forwarded-For", value: "1.2.3.4")
        _ = HeaderRewriter.rewriteRequest(&head, clientAddress: "10.0.0.9", listenerPort: "80")
        #expect(head.headers["x-forwarded-for"] == ["10.0.0.9"])
        #expect(!head.headers.contains(name: "connection"))
    }

    @Test func headerPresenceFlagsEveryHopByHopNameInAnyCase() {
        // RFC 9110 section 7.6.1 and the proxy headers nginx and Envoy drop as well.
        let hopByHop = [
            "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
            "proxy-connection", "proxy-authenticate", "proxy-authorization",
        ]
        for name in hopByHop {
            #expect(HeaderPresence.flags(for: name).contains(.hopByHop), "\(name)")
            #expect(HeaderPresence.flags(for: name.uppercased()).contains(.hopByHop), "\(name)")
        }
        let expected: [(String, HeaderPresence)] = [
            ("Upgrade", [.upgrade, .hopByHop]), ("TE", [.te, .hopByHop]), ("Expect", .expect),
            ("Connection", [.connection, .hopByHop]), ("keep-alive", .hopByHop),
            ("Transfer-Encoding", [.transferEncoding, .hopByHop]), ("X-Forwarded-For", .xForwardedFor),
            ("x-real-ip", .xRealIP), ("X-Forwarded-Host", .xForwardedHost), ("x-forwarded-PROTO", .xForwardedProto),
            ("x-forwarded-port", .xForwardedPort),
        ]
        for (name, flags) in expected {
            #expect(HeaderPresence.flags(for: name) == flags, "\(name)")
        }
        // Same lengths, other names; and a byte that folds to '-' only under a careless OR.
        for name in ["tf", "expecT2", "x-forwarded-fox", "connectioN\u{7F}", "keep\u{0D}alive", "content-type", "host", ""] {
            #expect(HeaderPresence.flags(for: name) == [], "\(name)")
        }
        var headers = HTTPHeaders([("host", "a"), ("Keep-Alive", "5"), ("x-real-ip", "1")])
        #expect(HeaderPresence(scanning: headers) == [.hopByHop, .xRealIP])
        headers.remove(name: "keep-alive")
        #expect(HeaderPresence(scanning: headers) == .xRealIP)
    }

    @Test func connectionTokensAreTrimmedAndEmptyOnesSkipped() {
        var names: [String] = []
        var options = HeaderRewriter.ConnectionOptions()
        HeaderRewriter.appendNamedHeaders(of: " , X-A ,\tX-B\t,,keep-alive,Upgrade ,x-c", to: &names, options: &options)
        #expect(names == ["X-A", "X-B", "x-c"])
        #expect(options.keepAlive && !options.close)
        // `close` is an option, not a field name (nginx and Envoy keep a field named so).
        names = []
        HeaderRewriter.appendNamedHeaders(of: "Close, x-a", to: &names, options: &options)
        #expect(names == ["x-a"])
        #expect(options.close)

        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Connection", value: " x-a ,\tX-B")
        head.headers.add(name: "X-A", value: "1")
        head.headers.add(name: "x-b", value: "2")
        head.headers.add(name: "X-C", value: "3")
        _ = HeaderRewriter.rewriteResponse(&head)
        #expect(head.headers.map(\.name) == ["X-C"])
    }
}

extension HeaderRewriter {
    /// One head rewritten with a list of its own to collect the appended fields in.
    static func rewriteRequest(
        _ head: inout HTTPRequestHead,
        clientAddress: String?,
        listenerPort: String,
        scheme: String = "http"
    ) -> RequestFacts {
        var added: [(String, String)] = []
        return self.rewriteRequest(&head, clientAddress: clientAddress, listenerPort: listenerPort, scheme: scheme, collectingIn: &added)
    }
}
