import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

@Suite("ConnectionTimeoutHandler on an EmbeddedChannel")
struct ConnectionTimeoutHandlerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(
            handler: ConnectionTimeoutHandler(idleTimeout: .seconds(60), headerTimeout: .seconds(10))
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func idleConnectionClosesAfterTheIdleTimeout() throws {
        let channel = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(try channel.readOutbound(as: IOData.self) == nil)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func slowHeadGets408ThenClose() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) != nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        guard case .byteBuffer(let response) = try channel.readOutbound(as: IOData.self) else {
            Issue.record("no 408 written")
            return
        }
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func requestInProgressIsNotTimedOut() throws {
        let channel = try self.makeChannel()
        let handler = try channel.pipeline.syncOperations.handler(type: ConnectionTimeoutHandler.self)
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        handler.requestPhase(.headReceived)
        channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(channel.isActive)
        handler.requestPhase(.responseCompleted)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func idleTimeoutRestartsAfterEachResponse() throws {
        let channel = try self.makeChannel()
        let handler = try channel.pipeline.syncOperations.handler(type: ConnectionTimeoutHandler.self)
        for _ in 0..<3 {
            // A request every 40 s keeps the connection open past the first 60 s deadline.
            channel.embeddedEventLoop.advanceTime(by: .seconds(40))
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
            _ = try channel.readInbound(as: ByteBuffer.self)
            handler.requestPhase(.headReceived)
            handler.requestPhase(.responseCompleted)
            #expect(channel.isActive)
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func headerTimeoutAppliesWhenAHeadIsIncompleteAfterAnIdlePeriod() throws {
        let channel = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        _ = try channel.readInbound(as: ByteBuffer.self)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        guard case .byteBuffer(let response) = try channel.readOutbound(as: IOData.self) else {
            Issue.record("no 408 written")
            return
        }
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 408"))
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
