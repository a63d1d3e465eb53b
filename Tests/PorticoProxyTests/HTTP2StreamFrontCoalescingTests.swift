import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import PorticoProxy

/// A head followed by an empty end leaves as one HEADERS frame with END_STREAM; anything else
/// passes unchanged and in order.
@Suite struct HTTP2StreamFrontCoalescingTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTP2StreamFront())
        return channel
    }

    private static let head = HTTP2Frame.FramePayload.headers(.init(headers: HPACKHeaders([(":status", "200")])))

    private func outbound(_ channel: EmbeddedChannel) throws -> [HTTP2Frame.FramePayload] {
        var frames: [HTTP2Frame.FramePayload] = []
        while let frame = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) { frames.append(frame) }
        return frames
    }

    @Test func headThenEmptyEndBecomesOneHeadersFrame() throws {
        let channel = try self.makeChannel()
        let first = channel.eventLoop.makePromise(of: Void.self)
        let second = channel.eventLoop.makePromise(of: Void.self)
        channel.write(Self.head, promise: first)
        channel.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)), promise: second)
        let frames = try self.outbound(channel)
        #expect(frames.count == 1)
        guard case .headers(let headers) = frames.first else {
            Issue.record("expected HEADERS, got \(frames)")
            return
        }
        #expect(headers.endStream)
        #expect(try first.futureResult.wait() == ())
        #expect(try second.futureResult.wait() == ())
        #expect(try channel.finish().isClean)
    }

    @Test func headThenBodyPassesUnchanged() throws {
        let channel = try self.makeChannel()
        channel.write(Self.head, promise: nil)
        channel.write(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "x")))), promise: nil)
        channel.writeAndFlush(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)), promise: nil)
        let frames = try self.outbound(channel)
        #expect(frames.count == 3)
        if case .headers(let headers) = frames.first { #expect(!headers.endStream) } else { Issue.record("expected HEADERS first") }
        #expect(try channel.finish().isClean)
    }

    @Test func flushReleasesAHeldHead() throws {
        let channel = try self.makeChannel()
        channel.write(Self.head, promise: nil)
        #expect(try self.outbound(channel).isEmpty)
        channel.flush()
        #expect(try self.outbound(channel).count == 1)
        #expect(try channel.finish().isClean)
    }

    @Test func trailersPassAtOnce() throws {
        let channel = try self.makeChannel()
        channel.writeAndFlush(
            HTTP2Frame.FramePayload.headers(.init(headers: HPACKHeaders([("grpc-status", "0")]), endStream: true)), promise: nil
        )
        #expect(try self.outbound(channel).count == 1)
        #expect(try channel.finish().isClean)
    }
}
