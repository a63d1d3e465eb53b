import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

/// The byte relay of an upgraded connection, on two embedded channels: relaying and flushing,
/// backpressure, close and half-close propagation, the idle timeout.
@Suite("UpgradedRelayHandler")
struct UpgradedRelayHandlerTests {
    /// Counts the reads that reach the channel (placed first, below the relay).
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            self.reads += 1
            context.read()
        }
    }

    struct Pair {
        let downstream = EmbeddedChannel()
        let upstream = EmbeddedChannel()
        let downstreamReads = ReadCounter()

        init(idleTimeout: TimeAmount = .seconds(60)) throws {
            try self.downstream.pipeline.syncOperations.addHandler(self.downstreamReads)
            let first = UpgradedRelayHandler(idleTimeout: idleTimeout)
            let second = UpgradedRelayHandler(idleTimeout: nil)
            UpgradedRelayHandler.pair(first, second)
            try self.downstream.pipeline.syncOperations.addHandler(first)
            try self.upstream.pipeline.syncOperations.addHandler(second)
            try self.downstream.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            try self.upstream.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        }

        func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    }

    @Test func relaysBytesBothWaysAndFlushesAtReadComplete() throws {
        let pair = try Pair()
        pair.downstream.pipeline.fireChannelRead(pair.buffer("up"))
        #expect(try pair.upstream.readOutbound(as: ByteBuffer.self) == nil)
        pair.downstream.pipeline.fireChannelReadComplete()
        #expect(try pair.upstream.readOutbound(as: ByteBuffer.self) == pair.buffer("up"))
        try pair.upstream.writeInbound(pair.buffer("down"))
        pair.upstream.pipeline.fireChannelReadComplete()
        #expect(try pair.downstream.readOutbound(as: ByteBuffer.self) == pair.buffer("down"))
    }

    @Test func readsWaitWhileThePartnerIsNotWritable() throws {
        let pair = try Pair()
        pair.downstream.read()
        #expect(pair.downstreamReads.reads == 1)
        pair.upstream.isWritable = false
        pair.downstream.read()
        #expect(pair.downstreamReads.reads == 1)
        pair.upstream.isWritable = true
        pair.upstream.pipeline.fireChannelWritabilityChanged()
        #expect(pair.downstreamReads.reads == 2)
    }

    @Test func closeOnOneSideClosesTheOther() throws {
        let pair = try Pair()
        try pair.upstream.close().wait()
        #expect(!pair.downstream.isActive)
    }

    @Test func inputClosedBecomesAnOutputCloseOfThePartner() throws {
        let pair = try Pair()
        pair.downstream.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        // EmbeddedChannel closes fully whatever the mode, so this only shows the close is passed on.
        #expect(!pair.upstream.isActive)
    }

    @Test func quiesceIsIgnored() throws {
        let pair = try Pair()
        pair.downstream.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(pair.downstream.isActive)
        #expect(pair.upstream.isActive)
    }

    @Test func idleTimeoutClosesBothAndTrafficEitherWayPostponesIt() throws {
        let pair = try Pair(idleTimeout: .seconds(10))
        pair.downstream.embeddedEventLoop.advanceTime(by: .seconds(6))
        try pair.upstream.writeInbound(pair.buffer("keep"))
        pair.downstream.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(pair.downstream.isActive)
        pair.downstream.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(!pair.downstream.isActive)
        #expect(!pair.upstream.isActive)
    }
}
