import NIOCore
import NIOEmbedded
import NIOHTTP2
import Testing

@testable import PorticoProxy

/// The downstream HTTP/2 connection's life: GOAWAY after the idle time without an open stream,
/// and the two-step GOAWAY of a drain (RFC 9113 section 6.8), closing only once the client has
/// acknowledged the first GOAWAY's PING and the last stream has finished.
@Suite struct HTTP2ConnectionManagerTests {
    private static let idle = TimeAmount.seconds(10)

    private func makeChannel() throws -> (EmbeddedChannel, HTTP2ConnectionManager) {
        let channel = EmbeddedChannel()
        let manager = HTTP2ConnectionManager(idleTimeout: Self.idle, timers: LoopTimerQueue(eventLoop: channel.embeddedEventLoop))
        try channel.pipeline.syncOperations.addHandler(manager)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, manager)
    }

    private func outbound(_ channel: EmbeddedChannel) throws -> [HTTP2Frame.FramePayload] {
        var payloads: [HTTP2Frame.FramePayload] = []
        while let frame = try channel.readOutbound(as: HTTP2Frame.self) { payloads.append(frame.payload) }
        return payloads
    }

    /// The GOAWAY and PING that start a drain; returns the PING's data.
    private func expectDrainStarted(_ payloads: [HTTP2Frame.FramePayload]) -> HTTP2PingData? {
        guard payloads.count == 2, case .goAway(let lastStreamID, .noError, _) = payloads[0], case .ping(let data, ack: false) = payloads[1]
        else {
            Issue.record("expected GOAWAY and PING, got \(payloads)")
            return nil
        }
        #expect(lastStreamID == .maxID)
        return data
    }

    @Test func anIdleConnectionIsDrained() throws {
        let (channel, _) = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: Self.idle - .milliseconds(1))
        #expect(try self.outbound(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let ping = try #require(self.expectDrainStarted(try self.outbound(channel)))
        try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .ping(ping, ack: true)))
        let last = try self.outbound(channel)
        guard case .goAway(let lastStreamID, .noError, _)? = last.first else {
            Issue.record("expected the last GOAWAY, got \(last)")
            return
        }
        #expect(lastStreamID == .rootStream)
        #expect(!channel.isActive)
    }

    @Test func anOpenStreamHoldsTheIdleTimeAndItsEndRestartsIt() throws {
        let (channel, manager) = try self.makeChannel()
        manager.streamCreated(HTTP2StreamID(1), channel: channel)
        channel.embeddedEventLoop.advanceTime(by: Self.idle * 3)
        #expect(try self.outbound(channel).isEmpty)
        manager.streamClosed(HTTP2StreamID(1), channel: channel)
        channel.embeddedEventLoop.advanceTime(by: Self.idle - .milliseconds(1))
        #expect(try self.outbound(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(self.expectDrainStarted(try self.outbound(channel)) != nil)
        _ = try? channel.finish()
    }

    @Test func shutdownLetsOpenStreamsFinishAfterTheLastGoAway() throws {
        let (channel, manager) = try self.makeChannel()
        manager.streamCreated(HTTP2StreamID(1), channel: channel)
        manager.streamCreated(HTTP2StreamID(5), channel: channel)
        manager.streamCreated(HTTP2StreamID(3), channel: channel)
        manager.streamClosed(HTTP2StreamID(1), channel: channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        let ping = try #require(self.expectDrainStarted(try self.outbound(channel)))

        // Another PING's acknowledgement is not the one the drain waits for.
        try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: 7), ack: true)))
        #expect(try self.outbound(channel).isEmpty)

        try channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .ping(ping, ack: true)))
        let last = try self.outbound(channel)
        guard case .goAway(let lastStreamID, .noError, _)? = last.first else {
            Issue.record("expected the last GOAWAY, got \(last)")
            return
        }
        #expect(lastStreamID == HTTP2StreamID(5))
        #expect(channel.isActive)
        manager.streamClosed(HTTP2StreamID(3), channel: channel)
        channel.embeddedEventLoop.run()
        #expect(channel.isActive)
        manager.streamClosed(HTTP2StreamID(5), channel: channel)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}
