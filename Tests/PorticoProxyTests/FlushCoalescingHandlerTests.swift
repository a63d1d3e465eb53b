import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

/// Counts the flushes that reach the front of the pipeline.
final class FlushCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var flushes = 0

    func flush(context: ChannelHandlerContext) {
        self.flushes += 1
        context.flush()
    }
}

@Suite struct FlushCoalescingHandlerTests {
    func channel() throws -> (EmbeddedChannel, FlushCounter) {
        let counter = FlushCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
        return (channel, counter)
    }

    @Test func theFlushesOfOneTickLeaveAsOne() throws {
        let (channel, counter) = try channel()
        for index in 0..<3 {
            channel.write(ByteBuffer(string: "frame \(index)"), promise: nil)
            channel.flush()
        }
        #expect(counter.flushes == 0)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1)
        for index in 0..<3 {
            #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "frame \(index)"))
        }
        // The next tick flushes again.
        channel.write(ByteBuffer(string: "later"), promise: nil)
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 2)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "later"))
        #expect(try channel.finish().isClean)
    }

    @Test func aCloseFlushesWhatIsPendingFirst() throws {
        let (channel, counter) = try channel()
        channel.write(ByteBuffer(string: "goaway"), promise: nil)
        channel.flush()
        let closed = channel.close()
        #expect(counter.flushes == 1)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "goaway"))
        channel.embeddedEventLoop.run()
        try closed.wait()
        #expect(counter.flushes == 1)
    }
}
