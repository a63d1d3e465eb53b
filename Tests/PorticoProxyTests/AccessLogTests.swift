import Logging
import NIOCore
import NIOEmbedded
import PorticoRouteTable
import PorticoTestSupport
import Synchronization
import Testing

@testable import PorticoProxy

@Suite("Access log")
struct AccessLogTests {
    @Test func oneInfoLinePerRequestWithItsFields() throws {
        let handler = LogRecorder()
        let logger = handler.logger(label: "portico.access")
        let configuration = ProxyConfiguration(httpPort: 0, workers: 1, accessLog: true)
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configureEdgePipeline(
            configuration: configuration,
            routes: RouteTableStore(),
            loop: loop,
            accessLogger: logger
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "GET /a?b HTTP/1.1\r\nHost: h.example\r\n\r\nHEAD /c HTTP/1.1\r\nHost: h.example\r\n\r\n"))
        let records = handler.records
        #expect(records.count == 2)
        let first = try #require(records.first)
        #expect(first.level == .info)
        #expect(first.metadata["method"] == "GET")
        #expect(first.metadata["host"] == "h.example")
        #expect(first.metadata["path"] == "/a?b")
        #expect(first.metadata["status"] == "404")
        #expect(first.metadata["upstream"] == "-")
        #expect(first.metadata["protocol"] == "h1")
        #expect(first.metadata["grpc_status"] == nil)
        #expect(first.metadata["bytes_sent"] != nil)
        #expect(first.metadata["duration_ms"] != nil)
        #expect(first.metadata["client"] != nil)
        #expect(records.last?.metadata["method"] == "HEAD")
        #expect(records.last?.metadata["bytes_sent"] == "0")
        _ = try channel.finish()
    }
}

extension AccessLogTests {
    @Test func aGRPCCallAnsweredLocallyLogsBothStatuses() throws {
        let handler = LogRecorder()
        let logger = handler.logger(label: "portico.access")
        let configuration = ProxyConfiguration(httpPort: 0, workers: 1, accessLog: true)
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configureEdgePipeline(
            configuration: configuration, routes: RouteTableStore(), loop: loop, accessLogger: logger
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(
            ByteBuffer(string: "POST /a.B/C HTTP/1.1\r\nHost: h\r\nContent-Type: application/grpc\r\nContent-Length: 0\r\n\r\n")
        )
        let record = try #require(handler.records.first)
        #expect(record.metadata["status"] == "404")
        #expect(record.metadata["grpc_status"] == "12")
        #expect(record.metadata["bytes_sent"] == "0")
        _ = try channel.finish()
    }
}

extension AccessLogTests {
    @Test func anHTTPSRedirectIsLoggedAndKeepsTheConnection() throws {
        let handler = LogRecorder()
        let logger = handler.logger(label: "portico.access")
        let configuration = ProxyConfiguration(httpPort: 0, workers: 1, accessLog: true)
        let table = RouteTable(
            generation: 1,
            virtualHosts: [
                VirtualHost(match: .exact("secure.example"), routes: [], security: HostSecurity(redirectToHTTPS: true, hsts: true))
            ]
        )
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configureEdgePipeline(
            configuration: configuration, routes: RouteTableStore(table), loop: loop, accessLogger: logger
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(
            ByteBuffer(
                string: "POST /p?q HTTP/1.1\r\nHost: secure.example\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: other.example\r\n\r\n"
            )
        )
        var written = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { written += String(buffer: buffer) }
        #expect(written.hasPrefix("HTTP/1.1 308 Permanent Redirect\r\n"))
        #expect(written.lowercased().contains("location: https://secure.example/p?q\r\n"))
        #expect(!written.lowercased().contains("strict-transport-security"))
        #expect(written.contains("HTTP/1.1 404 Not Found\r\n"), "the next request on the connection is served")
        #expect(channel.isActive)
        let records = handler.records
        #expect(records.count == 2)
        #expect(records.first?.metadata["status"] == "308")
        #expect(records.first?.metadata["host"] == "secure.example")
        #expect(records.last?.metadata["status"] == "404")
        _ = try channel.finish()
    }
}

extension AccessLogTests {
    /// A request too malformed to have a head is answered 400 (431 when its head is too large)
    /// and logged like nginx logs it: a line with the status and no method, host or path.
    @Test(arguments: [
        ("GET /a HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n", "400"),
        ("GET /a HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "b", count: 200) + "\r\n\r\n", "431"),
    ])
    func aMalformedRequestIsLogged(request: String, status: String) throws {
        let handler = LogRecorder()
        let logger = handler.logger(label: "portico.access")
        var configuration = ProxyConfiguration(httpPort: 0, workers: 1, accessLog: true)
        configuration.maxHeaderBytes = 128
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configureEdgePipeline(
            configuration: configuration, routes: RouteTableStore(), loop: loop, accessLogger: logger
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = try? channel.writeInbound(ByteBuffer(string: request))
        let answer = try #require(try channel.readOutbound(as: IOData.self))
        guard case .byteBuffer(let bytes) = answer else {
            Issue.record("not a buffer")
            return
        }
        #expect(String(buffer: bytes).hasPrefix("HTTP/1.1 \(status) "))
        let record = try #require(handler.records.first)
        #expect(handler.records.count == 1)
        #expect(record.metadata["status"] == "\(status)")
        #expect(record.metadata["method"] == "-")
        #expect(record.metadata["path"] == "-")
        #expect(record.metadata["protocol"] == "h1")
        _ = try? channel.finish()
    }
}
