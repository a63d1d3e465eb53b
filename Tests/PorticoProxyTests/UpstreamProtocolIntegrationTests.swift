import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PorticoRouteTable
import PorticoTestSupport
import Synchronization
import Testing

@testable import PorticoProxy

/// Collects what an upstream connection reports, on its event loop.
private final class RecordingDelegate: UpstreamDelegate {
    var parts: [String] = []
    let done: EventLoopPromise<[String]>

    init(done: EventLoopPromise<[String]>) {
        self.done = done
    }

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        switch part {
        case .head(let head): self.parts.append("head \(head.status.code)")
        case .body(let buffer): self.parts.append("body \(String(buffer: buffer))")
        case .end(let trailers):
            let sorted = (trailers ?? [:]).map { "\($0.name)=\($0.value)" }.sorted()
            self.parts.append("end \(sorted.joined(separator: ","))")
            self.done.succeed(self.parts)
        }
    }

    func upstreamReadComplete() {}
    func upstreamWritabilityChanged(isWritable: Bool) {}
    func upstreamClosed() { self.done.fail(ChannelError.eof) }
}

@Suite("Upstream protocols: h2c, HTTPS and h2 over TLS through a real proxy")
struct UpstreamProtocolIntegrationTests {
    static let serverName = "api.default.svc"

    static func tlsRoute(_ endpoint: Endpoint, version: UpstreamProtocol.Version, verification: UpstreamTLS.Verification) -> TestRoute {
        let tls = UpstreamTLS(serverName: Self.serverName, verification: verification, secret: "default/upstream-ca")
        return TestRoute(service: "api", endpoints: [endpoint], upstream: UpstreamProtocol(version: version, tls: tls))
    }

    static func serverContext(_ leaf: TestCertificateAuthority.Leaf, alpn: [String]) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(leaf.chainPEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(leaf.keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.applicationProtocols = alpn
        return try NIOSSLContext(configuration: configuration)
    }

    @Test func http1ClientReachesAnH2cUpstream() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "grpc")
        let table = makeTable([TestRoute(service: "grpc", endpoints: [stub.endpoint], upstream: .h2c)])
        try await withProxy(table) { proxy in
            let response = try await proxy.send(uri: "/pkg.Service/Method?x=1", headers: [("te", "trailers")])
            #expect(response.status == 200)
            #expect(response.header("x-stub-name") == "grpc")
            #expect(response.header("x-seen-version") == "2")
            #expect(response.header("x-seen-path") == "/pkg.Service/Method?x=1")
            #expect(response.header("x-seen-host") == "example.com")
            #expect(response.header("x-seen-te") == "trailers")
        }
        try await stub.close()
    }

    @Test func http10RequestWithoutHostGetsTheEndpointAsAuthority() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "old")
        let table = makeTable([TestRoute(service: "old", endpoints: [stub.endpoint], upstream: .h2c)])
        try await withProxy(table) { proxy in
            let response = try await proxy.send(host: nil, version: .http1_0)
            #expect(response.status == 200)
            #expect(response.header("x-seen-host") == stub.endpoint.description)
        }
        try await stub.close()
    }

    @Test func silentTLSServerTimesOutLikeAConnect() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let endpoint = Endpoint(host: "127.0.0.1", port: silent.localAddress?.port ?? 0)
        let route = Self.tlsRoute(endpoint, version: .http1, verification: .none)
        try await withProxy(makeTable([route]), configure: { $0.upstreamConnectTimeout = .milliseconds(300) }) { proxy in
            let status = try await proxy.send().status
            #expect(status == 504)
        }
        try await silent.close()
    }

    @Test func concurrentRequestsShareOneHTTP2Connection() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "shared", responseDelay: .milliseconds(200))
        let table = makeTable([TestRoute(service: "shared", endpoints: [stub.endpoint], upstream: .h2c)])
        // One event loop, so one pool: each loop keeps its own connections.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        try await withProxy(table, group: group) { proxy in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask { try await proxy.send(uri: "/\(index)").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 20))
            // Later requests reuse the connection too, once the first ones are done.
            #expect(try await proxy.send(uri: "/after").status == 200)
        }
        #expect(stub.receivedRequests == 21)
        #expect(stub.acceptedConnections == 1)
        #expect(stub.maxConcurrentStreams > 1)
        try await stub.close()
    }

    @Test func aConnectionAtItsStreamLimitIsJoinedByAnother() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "narrow", responseDelay: .milliseconds(200), maxConcurrentStreams: 2)
        let table = makeTable([TestRoute(service: "narrow", endpoints: [stub.endpoint], upstream: .h2c)])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        try await withProxy(table, group: group) { proxy in
            // The first request lets the pool learn the limit from the server's SETTINGS.
            #expect(try await proxy.send().status == 200)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask { try await proxy.send(uri: "/\(index)").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
        }
        // Streams beyond the limit of the first connection went to a second one (NIO would
        // otherwise have queued them all on the first).
        #expect(stub.acceptedConnections >= 2)
        try await stub.close()
    }

    @Test func aConnectionThatSentGoAwayTakesNoNewStream() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "leaving", goAwayWithFirstResponse: true)
        let table = makeTable([TestRoute(service: "leaving", endpoints: [stub.endpoint], upstream: .h2c)])
        try await withProxy(table) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<3 {
                    let response = try await client.send()
                    #expect(response.status == 200)
                }
            }
        }
        #expect(stub.receivedRequests == 3)
        #expect(stub.acceptedConnections == 3)
        try await stub.close()
    }

    @Test func streamedBodyTravelsBothWaysOverH2c() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "echo")
        let table = makeTable([TestRoute(service: "echo", endpoints: [stub.endpoint], upstream: .h2c)])
        try await withProxy(table) { proxy in
            let response = try await HTTPTestClient.withConnection(port: proxy.port) { client in
                try await client.send(
                    method: .POST,
                    uri: "/stream",
                    headers: [("transfer-encoding", "chunked")],
                    body: .generated(total: 16 * 1024 * 1024, chunkSize: 16 * 1024),
                    collectBody: false
                )
            }
            #expect(response.status == 200)
            #expect(response.bodyByteCount == 16 * 1024 * 1024)
        }
        try await stub.close()
    }

    /// Trailers in both directions reach the exchange through the stream, whatever the
    /// downstream side then does with them.
    @Test func streamsCarryRequestAndResponseTrailers() async throws {
        let stub = try await HTTP2UpstreamStub.start(name: "trailers")
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let cluster = Cluster(id: ClusterID(namespace: "default", service: "trailers", port: "80"), upstream: .h2c)
        let endpoint = stub.endpoint
        let parts = try await loop.flatSubmit { () -> EventLoopFuture<[String]> in
            let pool = UpstreamPool(eventLoop: loop, configuration: ProxyConfiguration())
            let delegate = RecordingDelegate(done: loop.makePromise())
            pool.connect(endpoint, cluster: cluster) { result in
                switch result {
                case .success(let connection):
                    connection.delegate = delegate
                    var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/pkg.Echo/Call")
                    head.headers.add(name: "host", value: "trailers.test")
                    connection.write(.head(head))
                    connection.write(.body(.byteBuffer(ByteBuffer(string: "ping"))))
                    connection.write(.end(["grpc-timeout": "1S"]))
                    connection.flush()
                case .failure(let error):
                    delegate.done.fail(error)
                }
            }
            let result = delegate.done.futureResult
            result.assumeIsolated().whenComplete { _ in
                // Keeps the pool and the delegate (held weakly by the connection) alive until
                // the exchange is over, then lets the connection go.
                withExtendedLifetime(delegate) { pool.closeAll() }
            }
            return result
        }.get()
        #expect(parts.first == "head 200")
        #expect(parts.contains("body ping"))
        #expect(parts.last == "end grpc-status=0,x-received-bytes=4,x-seen-trailer-grpc-timeout=1S")
        try await stub.close()
    }

    @Test func httpsUpstreamVerifiedAgainstTheSecretCA() async throws {
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "api", dnsNames: [Self.serverName])
        let stub = try await UpstreamStub.start(name: "secure", behavior: .fixed(status: 200, body: "verified"), tls: Self.serverContext(leaf, alpn: ["http/1.1"]))
        let route = Self.tlsRoute(stub.endpoint, version: .http1, verification: .certificateAuthority(pem: Array(authority.certificatePEM.utf8)))
        try await withProxy(makeTable([route]), stubs: [stub]) { proxy in
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<3 {
                    let response = try await client.send()
                    #expect(response.status == 200)
                    #expect(response.bodyString == "verified")
                }
            }
        }
        // Keep-alive works over TLS as over cleartext.
        #expect(stub.acceptedConnections == 1)
    }

    @Test func wrongCAGets502AndOneLogLine() async throws {
        let authority = try TestCertificateAuthority()
        let other = try TestCertificateAuthority(name: "Someone Else")
        let leaf = try authority.issue(commonName: "api", dnsNames: [Self.serverName])
        let stub = try await UpstreamStub.start(name: "secure", tls: Self.serverContext(leaf, alpn: ["http/1.1"]))
        let route = Self.tlsRoute(stub.endpoint, version: .http1, verification: .certificateAuthority(pem: Array(other.certificatePEM.utf8)))
        let recorder = LogRecorder()
        let logger = recorder.logger()
        try await withProxy(makeTable([route]), stubs: [stub], logger: logger) { proxy in
            for _ in 0..<3 {
                let status = try await proxy.send().status
                #expect(status == 502)
            }
        }
        #expect(stub.receivedRequests == 0)
        #expect(recorder.count(containing: "upstream TLS handshake failed") == 1)
    }

    @Test func unusableCAFailsClosedWithoutConnecting() async throws {
        let stub = try await UpstreamStub.start(name: "never")
        let route = Self.tlsRoute(stub.endpoint, version: .http1, verification: .unavailable(reason: "Secret default/upstream-ca does not exist"))
        let recorder = LogRecorder()
        let logger = recorder.logger()
        try await withProxy(makeTable([route]), stubs: [stub], logger: logger) { proxy in
            let first = try await proxy.send().status
            let second = try await proxy.send().status
            #expect([first, second] == [502, 502])
        }
        #expect(stub.acceptedConnections == 0)
        #expect(recorder.count(containing: "upstream TLS settings unusable") == 1)
    }

    @Test func httpsWithoutCAWorksAndWarnsOnce() async throws {
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "api", dnsNames: ["unrelated.example"])
        let stub = try await UpstreamStub.start(name: "unverified", behavior: .fixed(status: 200, body: "ok"), tls: Self.serverContext(leaf, alpn: ["http/1.1"]))
        let route = Self.tlsRoute(stub.endpoint, version: .http1, verification: .none)
        let recorder = LogRecorder()
        let logger = recorder.logger()
        try await withProxy(makeTable([route]), stubs: [stub], logger: logger) { proxy in
            for _ in 0..<3 {
                let response = try await proxy.send()
                #expect(response.status == 200)
                #expect(response.bodyString == "ok")
            }
        }
        #expect(recorder.count(containing: "upstream TLS is not verified") == 1)
    }

    @Test func h2OverTLSNegotiatedByALPN() async throws {
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "api", dnsNames: [Self.serverName])
        let stub = try await HTTP2UpstreamStub.start(name: "grpcs", tls: HTTP2UpstreamStub.tlsContext(chainPEM: leaf.chainPEM, keyPEM: leaf.keyPEM))
        let route = Self.tlsRoute(stub.endpoint, version: .http2, verification: .certificateAuthority(pem: Array(authority.certificatePEM.utf8)))
        try await withProxy(makeTable([route])) { proxy in
            // One client connection stays on one event loop, so its requests share one pool.
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<3 {
                    let response = try await client.send(method: .POST, uri: "/pkg.Service/Call", body: .string("hello"))
                    #expect(response.status == 200)
                    #expect(response.header("x-seen-version") == "2")
                    #expect(response.bodyString == "hello")
                }
            }
        }
        #expect(stub.acceptedConnections == 1)
        try await stub.close()
    }

    @Test func h2ClusterRefusesAServerWithoutH2() async throws {
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "api", dnsNames: [Self.serverName])
        let stub = try await UpstreamStub.start(name: "h1only", tls: Self.serverContext(leaf, alpn: ["http/1.1"]))
        let route = Self.tlsRoute(stub.endpoint, version: .http2, verification: .certificateAuthority(pem: Array(authority.certificatePEM.utf8)))
        try await withProxy(makeTable([route]), stubs: [stub]) { proxy in
            let status = try await proxy.send().status
            #expect(status == 502)
        }
        #expect(stub.receivedRequests == 0)
    }
}
