import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import PorticoProxy

/// Counts the reads that reach the socket end of the pipeline.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var reads = 0

    func read(context: ChannelHandlerContext) {
        self.reads += 1
        context.read()
    }
}

@Suite("PipelineReadAheadHandler below NIO's pipeline handler")
struct PipelineReadAheadHandlerTests {
    private let readAhead = PipelineReadAheadHandler()

    private func makeChannel() throws -> (EmbeddedChannel, ReadCounter) {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(self.readAhead)
        try channel.pipeline.syncOperations.addHandler(HTTPServerPipelineHandler())
        return (channel, counter)
    }

    private func request(_ channel: EmbeddedChannel, _ uri: String = "/") throws {
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: uri)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
    }

    /// Writes a response as `ProxyHandler` does: it tells the read-ahead handler as it writes
    /// the end.
    private func respond(_ channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        self.readAhead.responseEnded()
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
    }

    @Test func readsAheadWhileAResponseIsPending() throws {
        let (channel, counter) = try self.makeChannel()
        try self.request(channel)
        #expect(counter.reads == 1)
        // The pipeline handler swallows this one; the read ahead already reached the socket.
        channel.read()
        #expect(counter.reads == 1)
        try self.respond(channel)
        #expect(counter.reads == 2)
        _ = try channel.finish()
    }

    @Test func leavesReadsAloneWhileARequestIsArriving() throws {
        let (channel, counter) = try self.makeChannel()
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")))
        #expect(counter.reads == 0)
        _ = try channel.finish()
    }

    @Test func stopsAtTheRequestCapAndKeepsOrder() throws {
        let (channel, counter) = try self.makeChannel()
        for index in 0..<PipelineReadAheadHandler.maxRequestsAhead {
            try self.request(channel, "/\(index)")
        }
        let before = counter.reads
        // One more: its head still reads ahead, its end goes past the cap and does not.
        try self.request(channel, "/\(PipelineReadAheadHandler.maxRequestsAhead)")
        #expect(counter.reads == before + 1)
        channel.read()
        #expect(counter.reads == before + 1)
        // Only the first request went through; the others wait in the pipeline handler.
        guard case .head(let first) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no first head")
            return
        }
        #expect(first.uri == "/0")
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .end(nil))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        try self.respond(channel)
        guard case .head(let second) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no second head")
            return
        }
        #expect(second.uri == "/1")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func stopsAtTheByteCap() throws {
        let (channel, counter) = try self.makeChannel()
        try self.request(channel)
        #expect(counter.reads == 1)
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")))
        #expect(counter.reads == 2)
        let body = ByteBuffer(repeating: 0x61, count: PipelineReadAheadHandler.maxBytesAhead + 1)
        try channel.writeInbound(HTTPServerRequestPart.body(body))
        #expect(counter.reads == 2)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
