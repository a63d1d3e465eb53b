import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import PorticoRouteTable
import Testing

@testable import PorticoProxy

/// The whole downstream pipeline on an EmbeddedChannel: bytes in, bytes out. Only paths that
/// answer without an upstream are exercised here; relaying is covered by loopback tests.
@Suite("Edge pipeline on an EmbeddedChannel")
struct EdgePipelineTests {
    private func makeChannel(
        table: RouteTable = .empty,
        configure: (inout ProxyConfiguration) -> Void = { _ in }
    ) throws -> EmbeddedChannel {
        var configuration = ProxyConfiguration(httpPort: 0, workers: 1)
        configure(&configuration)
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configureEdgePipeline(
            configuration: configuration,
            routes: RouteTableStore(table),
            loop: loop,
            accessLogger: nil
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
        }
        return text
    }

    @Test func unroutedRequestGets404AndTheConnectionStaysOpen() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /x HTTP/1.1\r\nHost: nowhere\r\n\r\n"))
        let response = try self.written(channel)
        #expect(response.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(response.hasSuffix("\r\n\r\n404 page not found\n"))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test func bodyOfAnUnroutedRequestIsDiscardedAndTheConnectionReused() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        try channel.writeInbound(ByteBuffer(string: "56789GET /y HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test func pipelinedRequestsAreAnsweredOneAfterTheOther() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        let response = try self.written(channel)
        #expect(response.split(separator: "HTTP/1.1 404 Not Found").count == 2)
        #expect(response.hasPrefix("HTTP/1.1 404 Not Found"))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func clusterWithoutEndpointsGets503() throws {
        let id = ClusterID(namespace: "ns", service: "svc", port: "80")
        let route = Route(match: .prefix(""), backend: .cluster(id), source: RouteSource(namespace: "ns", ingress: "i", service: "svc"))
        let table = RouteTable(
            generation: 1,
            virtualHosts: [VirtualHost(match: .any, routes: [route])],
            clusters: [id: Cluster(id: id)],
            endpoints: [id: []]
        )
        let channel = try self.makeChannel(table: table)
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        _ = try channel.finish()
    }

    @Test func oversizedHeadGets431AndClose() throws {
        let channel = try self.makeChannel { $0.maxHeaderBytes = 256 }
        let big = String(repeating: "b", count: 512)
        // The parser error is answered and consumed inside the pipeline, not rethrown.
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(big)\r\n\r\n"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// A malformed request pipelined behind a good one is answered after the good one's
    /// response, never inside it, and then the connection closes.
    @Test func aMalformedPipelinedRequestGets400AfterTheResponseBeforeIt() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost a\r\n\r\n"))
        let response = try self.written(channel)
        #expect(response.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        let parts = response.split(separator: "404 page not found\n", omittingEmptySubsequences: false)
        let second = parts.count == 2 ? String(parts[1]) : ""
        #expect(second.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(second.lowercased().contains("connection: close\r\n"))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// Graceful shutdown on an idle keep-alive connection closes it at once.
    @Test func quiescingClosesAnIdleConnection() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(channel.isActive)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// Graceful shutdown while a request is still arriving waits for its end, then closes; the
    /// answer given before the shutdown keeps its keep-alive head, and nothing after is served.
    @Test func quiescingMidRequestClosesAtItsEnd() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "cdGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try self.written(channel).isEmpty)
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// The body of an answered request keeps coming: each read moves the idle deadline on, the
    /// body's end lets the next request in, and a client that stops sending is closed after the
    /// idle timeout without another answer (no 408: the request has its 404).
    @Test func aBodyBeingDroppedIsBoundedByTheIdleTimeout() throws {
        let channel = try self.makeChannel { $0.idleTimeout = .seconds(1) }
        try channel.writeInbound(ByteBuffer(string: "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nab"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(700))
        try channel.writeInbound(ByteBuffer(string: "cd"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(700))
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "efGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nxy"))
        let next = try self.written(channel)
        #expect(next.split(separator: "HTTP/1.1 404 Not Found").count == 2)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_100))
        #expect(!channel.isActive)
        let after = try self.written(channel)
        #expect(after.isEmpty, "\(after)")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    /// A body that turns out malformed after its request was answered (here a bad chunk size
    /// behind a 404) closes the connection without a second answer, which the client would
    /// take for the answer to its next request.
    @Test func aMalformedBodyAfterTheAnswerClosesWithoutAnother() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        try channel.writeInbound(ByteBuffer(string: "zz\r\n"))
        let after = try self.written(channel)
        #expect(after.isEmpty, "\(after)")
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func contentLengthWithTransferEncodingGets400() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(
            ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
        )
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
