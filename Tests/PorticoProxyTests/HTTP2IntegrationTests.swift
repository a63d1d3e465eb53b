import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// HTTP/2 from clients over real sockets on 127.0.0.1: ALPN h2 on the HTTPS listener, h2c by
/// prior knowledge on the plain one, curl and an NIO HTTP/2 client, many streams on one
/// connection, advertised limits, bodies and trailers to HTTP/1.1 upstreams, gRPC local errors.
@Suite struct HTTP2IntegrationTests {
    /// A proxy with both listeners (h2c on unless told otherwise) and a generated certificate.
    struct Harness {
        let server: ProxyServer
        let store: RouteTableStore
        let httpPort: Int
        let httpsPort: Int

        static func start(_ table: RouteTable, configure: (inout ProxyConfiguration) -> Void = { _ in }) async throws -> Harness {
            var configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
            configuration.httpsPort = 0
            configuration.http2.cleartextPriorKnowledge = true
            configuration.upstreamConnectTimeout = .seconds(2)
            configuration.upstreamResponseTimeout = .seconds(5)
            configuration.shutdownGracePeriod = .seconds(2)
            configure(&configuration)
            var logger = Logger(label: "portico.test")
            logger.logLevel = .warning
            let store = RouteTableStore(table)
            let server = ProxyServer(
                configuration: configuration, routes: store, logger: logger, group: MultiThreadedEventLoopGroup.singleton,
                certificates: try CertificateStore.withGeneratedDefault()
            )
            do {
                let httpPort = try await server.start()
                let httpsPort = try #require(server.httpsPort)
                return Harness(server: server, store: store, httpPort: httpPort, httpsPort: httpsPort)
            } catch {
                try? await server.shutdown()
                throw error
            }
        }

        /// An h2 client over TLS (ALPN h2) to the HTTPS listener.
        func withTLSClient<Result>(_ body: (HTTP2TestClient) async throws -> Result) async throws -> Result {
            try await HTTP2TestClient.withConnection(port: self.httpsPort, tls: TLSClientSettings(serverName: "example.com"), body)
        }

        /// An h2c client (prior knowledge) to the plain listener.
        func withCleartextClient<Result>(_ body: (HTTP2TestClient) async throws -> Result) async throws -> Result {
            try await HTTP2TestClient.withConnection(port: self.httpPort, body)
        }
    }

    func withHarness<Result>(
        _ table: RouteTable,
        stubs: [UpstreamStub] = [],
        configure: (inout ProxyConfiguration) -> Void = { _ in },
        _ body: (Harness) async throws -> Result
    ) async throws -> Result {
        let harness: Harness
        do {
            harness = try await Harness.start(table, configure: configure)
        } catch {
            for stub in stubs { try? await stub.close() }
            throw error
        }
        do {
            let result = try await body(harness)
            try await harness.server.shutdown()
            for stub in stubs { try await stub.close() }
            return result
        } catch {
            try? await harness.server.shutdown()
            for stub in stubs { try? await stub.close() }
            throw error
        }
    }

    static let grpcHeaders = [("content-type", "application/grpc"), ("te", "trailers")]

    // MARK: curl

    @Test func curlNegotiatesHTTP2OverTLS() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "hello h2"))
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            let url = "https://example.com:\(harness.httpsPort)/path"
            let output = try await CurlRunner.run([
                "-sk", "--http2", "--resolve", "example.com:\(harness.httpsPort):127.0.0.1",
                "-D", "-", "-w", "\n%{http_version}", url,
            ])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasSuffix("hello h2\n2"))
            #expect(output.stdout.hasPrefix("HTTP/2 200"))
            #expect(output.stdout.contains("hello h2"))
            #expect(output.stdout.contains("x-seen-x-forwarded-proto: https"))
        }
    }

    @Test func curlSpeaksH2CByPriorKnowledgeAndHTTP1StillWorksOnThatPort() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "plain"))
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            let url = "http://127.0.0.1:\(harness.httpPort)/"
            let h2 = try await CurlRunner.run(["-s", "--http2-prior-knowledge", "-H", "Host: example.com", "-w", "\n%{http_version}", url])
            #expect(h2.status == 0, "\(h2.stderr)")
            #expect(h2.stdout == "plain\n2")
            let h1 = try await CurlRunner.run(["-s", "--http1.1", "-H", "Host: example.com", "-w", "\n%{http_version}", url])
            #expect(h1.stdout == "plain\n1.1")
            let client = try await HTTPTestClient.withConnection(port: harness.httpPort) { client in
                try await client.send(uri: "/", host: "example.com")
            }
            #expect(client.status == 200)
            #expect(client.bodyString == "plain")
        }
    }

    @Test func h2cIsOffByDefault() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "plain"))
        try await withHarness(
            makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub],
            configure: { $0.http2.cleartextPriorKnowledge = false }
        ) { harness in
            let url = "http://127.0.0.1:\(harness.httpPort)/"
            let h2 = try await CurlRunner.run(["-s", "--http2-prior-knowledge", "-H", "Host: example.com", "-w", "%{http_version}", url])
            #expect(!h2.stdout.hasSuffix("2"))
            let h1 = try await CurlRunner.run(["-s", "-H", "Host: example.com", url])
            #expect(h1.stdout == "plain")
        }
    }

    // MARK: NIO HTTP/2 client

    /// The streams of one connection share its addresses, worked out once (`DownstreamPeer`):
    /// every one of them must still forward the client's address and the listener's port.
    @Test func everyStreamForwardsTheClientAddressAndPort() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "ok"))
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            for (port, proto) in [(harness.httpsPort, "https"), (harness.httpPort, "http")] {
                let body: (HTTP2TestClient) async throws -> Void = { client in
                    for _ in 0..<3 {
                        let response = try await client.send(path: "/")
                        #expect(response.status == 200)
                        #expect(response.header("x-seen-x-forwarded-for") == "127.0.0.1")
                        #expect(response.header("x-seen-x-real-ip") == "127.0.0.1")
                        #expect(response.header("x-seen-x-forwarded-port") == "\(port)")
                        #expect(response.header("x-seen-x-forwarded-proto") == proto)
                    }
                }
                if proto == "https" { try await harness.withTLSClient(body) } else { try await harness.withCleartextClient(body) }
            }
        }
    }

    @Test func manyConcurrentStreamsShareOneConnection() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .echo)
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            try await harness.withTLSClient { client in
                let count = 100
                let bodies = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let response = try await client.send(method: "POST", path: "/\(index)", body: ByteBuffer(string: "stream \(index)"))
                            return (index, response.status, response.bodyString)
                        }
                    }
                    var results: [(Int, Int, String)] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                #expect(bodies.count == count)
                for (index, status, body) in bodies {
                    #expect(status == 200)
                    #expect(body == "stream \(index)")
                }
            }
            #expect(stub.receivedRequests == 100)
        }
    }

    @Test func limitsAreAdvertisedAndTheStreamLimitHolds() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .delay(.milliseconds(50), then: .fixed(status: 200, body: "ok")))
        try await withHarness(
            makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub],
            configure: {
                $0.http2.maxConcurrentStreams = 3
                $0.http2.initialWindowSize = 100_000
                $0.maxHeaderBytes = 16_384
            }
        ) { harness in
            try await harness.withCleartextClient { client in
                // Six requests at once against a limit of three: the client queues the rest, and
                // every one is answered.
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<6 {
                        group.addTask { try await client.send(path: "/\(index)").status }
                    }
                    var statuses: [Int] = []
                    for try await status in group { statuses.append(status) }
                    return statuses
                }
                #expect(statuses == Array(repeating: 200, count: 6))
                let settings = client.receivedSettings
                #expect(settings.contains { $0.parameter == .maxConcurrentStreams && $0.value == 3 })
                #expect(settings.contains { $0.parameter == .initialWindowSize && $0.value == 100_000 })
                #expect(settings.contains { $0.parameter == .maxHeaderListSize && $0.value == 16_384 })
            }
        }
    }

    @Test func defaultStreamLimitIs128() async throws {
        try await withHarness(.empty) { harness in
            try await harness.withTLSClient { client in
                let response = try await client.send(path: "/")
                #expect(response.status == 404)
                #expect(client.receivedSettings.contains { $0.parameter == .maxConcurrentStreams && $0.value == 128 })
            }
        }
    }

    @Test func postBodyStreamsToAnHTTP1UpstreamChunked() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .echo)
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            try await harness.withTLSClient { client in
                let response = try await client.withStream { stream in
                    try await stream.sendHeaders(method: "POST", path: "/upload")
                    // 1 MiB in 64 KiB DATA frames: more than the stream window, so flow
                    // control has to open it again and again on the way.
                    for index in 0..<16 {
                        var chunk = ByteBuffer()
                        chunk.writeRepeatingByte(UInt8(ascii: "a") + UInt8(index), count: 64 * 1024)
                        try await stream.sendData(chunk, endStream: index == 15)
                    }
                    return try await stream.readResponse()
                }
                #expect(response.status == 200)
                #expect(response.body.readableBytes == 1 << 20)
                #expect(response.header("x-seen-transfer-encoding") == "chunked")
                #expect(response.header("x-seen-content-length") == nil)
                let lastByte = response.body.getInteger(at: response.body.writerIndex - 1, as: UInt8.self)
                #expect(lastByte == UInt8(ascii: "a") + 15)
            }
        }
    }

    @Test func largeResponseStreamsUnderFlowControl() async throws {
        let size = 4 << 20
        let stub = try await UpstreamStub.start(name: "web", behavior: .stream(bytes: size))
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            try await harness.withTLSClient { client in
                // 4 MiB through a 64 KiB stream window: the proxy must stop reading the upstream
                // while the stream is not writable and resume as the client opens the window.
                let response = try await client.send(path: "/big")
                #expect(response.status == 200)
                #expect(response.body.readableBytes == size)
                #expect(response.header("content-length") == String(size))
            }
        }
    }

    @Test func headResponseEndsWithItsHeaders() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "not sent"))
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            try await harness.withCleartextClient { client in
                let response = try await client.send(method: "HEAD", path: "/")
                #expect(response.status == 200)
                #expect(response.endedWithHead)
                #expect(response.header("content-length") == "8")
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func getWithoutBodyReachesAnHTTP1UpstreamWithoutFraming() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "got"))
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            try await harness.withCleartextClient { client in
                let response = try await client.send(path: "/page?q=1", authority: "example.com")
                #expect(response.status == 200)
                #expect(response.bodyString == "got")
                #expect(response.header("x-seen-transfer-encoding") == nil)
                #expect(response.header("x-seen-path") == "/page?q=1")
                #expect(response.header("x-seen-host") == "example.com")
                #expect(response.header("connection") == nil)
            }
        }
    }

    /// NIO's own header block validation is off at the edge (`HTTP2StreamFront` does it):
    /// a malformed request is reset with PROTOCOL_ERROR before it reaches an upstream, and the
    /// connection goes on serving. With one stream allowed at a time, a reset stream the server
    /// kept open would turn the next one into a GOAWAY.
    @Test func malformedRequestBlocksAreResetAndNeverForwarded() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .fixed(status: 200, body: "ok"))
        let table = makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])])
        try await withHarness(table, stubs: [stub], configure: { $0.http2.maxConcurrentStreams = 1 }) { harness in
            try await HTTP2TestClient.withConnection(port: harness.httpPort, validatesHeaderBlocks: false) { client in
                let base = [(":method", "GET"), (":scheme", "http"), (":authority", "example.com"), (":path", "/")]
                let malformed: [[(String, String)]] = [
                    base + [("X-Upper", "1")],
                    base + [("x-smuggle", "a\r\nx-injected: 1")],
                    base + [("connection", "close")],
                    [(":method", "GET"), (":scheme", "http"), (":path", "/a b")],
                    [(":method", "GET"), (":authority", "example.com"), (":path", "/")],
                ]
                for block in malformed {
                    let reset = await #expect(throws: HTTP2TestClient.StreamReset.self, "\(block)") {
                        try await client.withStream { stream in
                            try await stream.sendHeaderBlock(block, endStream: true)
                            return try await stream.readResponse()
                        }
                    }
                    #expect(reset?.code == .protocolError, "\(block)")
                }
                #expect(stub.receivedRequests == 0)
                let response = try await client.send(path: "/")
                #expect(response.status == 200)
                #expect(stub.receivedRequests == 1)
                #expect(!client.receivedGoAway)
            }
        }
    }

    @Test func trailersPassThroughBothWays() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .echo)
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            try await harness.withTLSClient { client in
                let response = try await client.send(
                    method: "POST", path: "/t", body: ByteBuffer(string: "payload"), trailers: [("x-checksum", "abc123")]
                )
                #expect(response.status == 200)
                #expect(response.bodyString == "payload")
                // The upstream (HTTP/1.1, chunked) got the request trailer and echoed it as a
                // response trailer, which came back as an HTTP/2 trailing HEADERS block.
                #expect(response.trailer("x-checksum") == "abc123")
            }
        }
    }

    @Test func http1ChunkedResponseKeepsItsTrailers() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .echo)
        try await withHarness(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]), stubs: [stub]) { harness in
            let answer = try await HTTPTestClient.rawExchange(
                port: harness.httpPort,
                bytes: "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "3\r\nabc\r\n0\r\nx-sum: 42\r\n\r\n"
            )
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.contains("3\r\nabc\r\n"))
            #expect(answer.hasSuffix("0\r\nx-sum: 42\r\n\r\n"))
        }
    }

    // MARK: gRPC local errors

    @Test func grpcCallsGetGRPCStatusesForLocalErrors() async throws {
        let silent = try await UpstreamStub.start(name: "silent", behavior: .neverAnswer)
        try await RefusingPort.with { refused in
            let table = makeTable([
                TestRoute(host: .exact("empty.test"), service: "empty", endpoints: []),
                TestRoute(host: .exact("refused.test"), service: "refused", endpoints: [Endpoint(host: "127.0.0.1", port: refused)]),
                TestRoute(host: .exact("slow.test"), service: "silent", endpoints: [silent.endpoint]),
            ])
            try await withHarness(table, stubs: [silent], configure: { $0.upstreamResponseTimeout = .milliseconds(300) }) { harness in
                try await harness.withTLSClient { client in
                    let cases: [(String, Int, String)] = [
                        ("nowhere.test", 12, "no route"),
                        ("empty.test", 14, "no healthy upstream"),
                        ("refused.test", 14, "upstream connect error"),
                        ("slow.test", 4, "upstream request timeout"),
                    ]
                    for (authority, code, message) in cases {
                        let response = try await client.send(
                            method: "POST", path: "/echo.Echo/Get", authority: authority, headers: Self.grpcHeaders,
                            body: ByteBuffer(bytes: [0, 0, 0, 0, 0])
                        )
                        #expect(response.status == 200, "\(authority)")
                        #expect(response.endedWithHead, "\(authority): trailers-only is one HEADERS frame")
                        #expect(response.header("content-type") == "application/grpc", "\(authority)")
                        #expect(response.header("grpc-status") == String(code), "\(authority)")
                        #expect(response.header("grpc-message")?.hasPrefix(message) == true, "\(authority)")
                    }
                }
            }
        }
    }

    @Test func nonGRPCRequestsStillGetHTTPErrorsOverHTTP2() async throws {
        try await withHarness(.empty) { harness in
            try await harness.withCleartextClient { client in
                let response = try await client.send(path: "/x", authority: "nowhere.test")
                #expect(response.status == 404)
                #expect(response.bodyString == "404 page not found\n")
                #expect(response.header("grpc-status") == nil)
            }
        }
    }

    @Test func grpcOverHTTP1GetsTheSameStatus() async throws {
        try await withHarness(.empty) { harness in
            let response = try await HTTPTestClient.withConnection(port: harness.httpPort) { client in
                try await client.send(method: .POST, uri: "/svc/M", host: "nowhere.test", headers: Self.grpcHeaders, body: .string("\0\0\0\0\0"))
            }
            #expect(response.status == 200)
            #expect(response.header("grpc-status") == "12")
            #expect(response.header("content-length") == "0")
        }
    }

    // MARK: Lifecycle

    @Test func idleConnectionGetsGoAway() async throws {
        // No request: the idle time runs from the connection's start, so however slowly a
        // loaded machine schedules this test, nothing can race the timer.
        try await withHarness(.empty, configure: { $0.idleTimeout = .milliseconds(300) }) { harness in
            try await harness.withCleartextClient { client in
                let deadline = ContinuousClock.now + .seconds(8)
                while !client.receivedGoAway, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(client.receivedGoAway)
            }
        }
    }

    @Test func shutdownLetsAnOpenStreamFinish() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .delay(.milliseconds(400), then: .fixed(status: 200, body: "late")))
        let harness = try await Harness.start(makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]))
        do {
            try await harness.withTLSClient { client in
                try await client.withStream { stream in
                    try await stream.sendHeaders(method: "GET", path: "/", endStream: true)
                    // The request is on its way upstream; the shutdown starts while it waits.
                    let deadline = ContinuousClock.now + .seconds(5)
                    while stub.receivedRequests == 0, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    async let stopped: Void = harness.server.shutdown()
                    let response = try await stream.readResponse()
                    #expect(response.status == 200)
                    #expect(response.bodyString == "late")
                    try await stopped
                }
                #expect(client.receivedGoAway)
            }
        } catch {
            try? await harness.server.shutdown()
            try? await stub.close()
            throw error
        }
        try await stub.close()
    }
}
