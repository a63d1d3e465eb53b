import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import PorticoProxy
import Synchronization
import Testing

/// The admin handler behind NIO's real HTTP/1.1 server pipeline, on an EmbeddedChannel.
@Suite struct AdminHandlerTests {
    final class ReadyFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private func channel(ready: ReadyFlag) throws -> EmbeddedChannel {
        let responder = AdminResponder(
            isReady: { ready.value.load(ordering: .relaxed) },
            metrics: { Array("portico_table_generation 3\n".utf8) }
        )
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(AdminHandler(responder: responder))
        return channel
    }

    /// Sends raw request bytes and returns everything written back, as text.
    private func exchange(_ channel: EmbeddedChannel, _ request: String) throws -> String {
        try channel.writeInbound(channel.allocator.buffer(string: request))
        var output = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            output += String(buffer: buffer)
        }
        return output
    }

    @Test func readyzFollowsReadiness() throws {
        let ready = ReadyFlag()
        let channel = try channel(ready: ready)
        let before = try exchange(channel, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(before.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(before.hasSuffix("\r\n\r\nnot ready\n"))
        ready.value.store(true, ordering: .relaxed)
        let after = try exchange(channel, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(after.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(after.hasSuffix("\r\n\r\nready\n"))
        #expect(try channel.finish().isClean)
    }

    @Test func healthzMetricsAndUnknownPaths() throws {
        let channel = try channel(ready: ReadyFlag())
        #expect(try exchange(channel, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n").hasSuffix("\r\n\r\nok\n"))
        let metrics = try exchange(channel, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(metrics.contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(metrics.hasSuffix("portico_table_generation 3\n"))
        #expect(try exchange(channel, "GET /other HTTP/1.1\r\nHost: a\r\n\r\n").hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(try exchange(channel, "DELETE /healthz HTTP/1.1\r\nHost: a\r\n\r\n").hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(try channel.finish().isClean)
    }

    @Test func headHasNoBodyAndConnectionCloseCloses() throws {
        let channel = try channel(ready: ReadyFlag())
        let head = try exchange(channel, "HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head.hasSuffix("content-length: 3\r\n\r\n"))
        _ = try exchange(channel, "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        #expect(!channel.isActive)
    }

    @Test func malformedRequestsGet400AndClose() throws {
        let channel = try channel(ready: ReadyFlag())
        // The embedded channel rethrows the parse error that the error handler answered.
        #expect(throws: HTTPParserError.self) {
            try channel.writeInbound(channel.allocator.buffer(string: "NOT HTTP AT ALL\r\n\r\n"))
        }
        let response = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(!channel.isActive)
    }
}
