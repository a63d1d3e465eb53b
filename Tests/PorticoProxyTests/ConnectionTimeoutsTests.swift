import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import PorticoProxy

@Suite("ConnectionTimeouts through HTTP1RequestDecoder on an EmbeddedChannel")
struct ConnectionTimeoutsTests {
    /// A connected channel whose decoder times it out after 60 s idle, or 10 s into a head.
    private func makeChannel() throws -> (EmbeddedChannel, ConnectionTimeouts) {
        let timeouts = ConnectionTimeouts(idleTimeout: .seconds(60), headerTimeout: .seconds(10))
        let channel = EmbeddedChannel(handler: HTTP1RequestDecoder(maxHeadBytes: 8192, timeouts: timeouts))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, timeouts)
    }

    /// Reads the parts the decoder passed on; a request without a body is a head and an end.
    private func readParts(_ channel: EmbeddedChannel) throws -> [HTTPServerRequestPart] {
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return parts
    }

    @Test func idleConnectionClosesAfterTheIdleTimeout() throws {
        let (channel, _) = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(try channel.readOutbound(as: IOData.self) == nil)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func slowHeadGets408ThenClose() throws {
        let (channel, _) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n"))
        #expect(try self.readParts(channel).isEmpty)
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
        let (channel, timeouts) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try self.readParts(channel).count == 2)
        timeouts.requestPhase(.headReceived)
        channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(channel.isActive)
        timeouts.requestPhase(.responseCompleted)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func idleTimeoutRestartsAfterEachResponse() throws {
        let (channel, timeouts) = try self.makeChannel()
        for _ in 0..<3 {
            // A request every 40 s keeps the connection open past the first 60 s deadline.
            channel.embeddedEventLoop.advanceTime(by: .seconds(40))
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
            #expect(try self.readParts(channel).count == 2)
            timeouts.requestPhase(.headReceived)
            timeouts.requestPhase(.responseCompleted)
            #expect(channel.isActive)
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func headerTimeoutAppliesWhenAHeadIsIncompleteAfterAnIdlePeriod() throws {
        let (channel, _) = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        #expect(try self.readParts(channel).isEmpty)
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

    /// `UpgradeSwitch` removes the decoder when a connection becomes a byte relay: the HTTP
    /// timeouts must go with it (the relay has its own idle timeout).
    @Test func removingTheDecoderStopsTheTimeouts() throws {
        let (channel, _) = try self.makeChannel()
        let decoder = try channel.pipeline.syncOperations.handler(type: HTTP1RequestDecoder.self)
        try channel.pipeline.syncOperations.removeHandler(decoder).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(channel.isActive)
        #expect(try channel.readOutbound(as: IOData.self) == nil)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
