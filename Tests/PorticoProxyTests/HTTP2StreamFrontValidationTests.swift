import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import PorticoProxy

/// A well-formed request passes the stream's front handler unchanged; a malformed head or trailer block
/// resets the stream with PROTOCOL_ERROR and nothing of that stream goes further.
@Suite struct HTTP2StreamFrontValidationTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTP2StreamFront())
        return channel
    }

    private static func headers(_ fields: [(String, String)], endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .headers(.init(headers: HPACKHeaders(fields), endStream: endStream))
    }

    private static let head = headers([(":method", "POST"), (":scheme", "http"), (":path", "/")])
    private static let body = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "x"))))

    private func inbound(_ channel: EmbeddedChannel) throws -> [HTTP2Frame.FramePayload] {
        var frames: [HTTP2Frame.FramePayload] = []
        while let frame = try channel.readInbound(as: HTTP2Frame.FramePayload.self) { frames.append(frame) }
        return frames
    }

    private func resets(_ channel: EmbeddedChannel) throws -> [HTTP2ErrorCode] {
        var codes: [HTTP2ErrorCode] = []
        while let frame = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
            if case .rstStream(let code) = frame { codes.append(code) }
        }
        return codes
    }

    @Test func wellFormedRequestPassesWithItsBodyAndTrailers() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(Self.body)
        try channel.writeInbound(Self.headers([("x-checksum", "1")], endStream: true))
        #expect(try self.inbound(channel).count == 3)
        #expect(try self.resets(channel).isEmpty)
        #expect(try channel.finish().isClean)
    }

    @Test func malformedHeadResetsTheStreamAndDropsTheRest() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(Self.headers([(":method", "GET"), (":scheme", "http"), (":path", "/"), ("Host", "a")]))
        try channel.writeInbound(Self.body)
        #expect(try self.inbound(channel).isEmpty)
        #expect(try self.resets(channel) == [.protocolError])
        _ = try channel.finish()
    }

    @Test func malformedTrailersResetTheStream() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(Self.headers([(":path", "/")], endStream: true))
        #expect(try self.inbound(channel).count == 1)
        #expect(try self.resets(channel) == [.protocolError])
        _ = try channel.finish()
    }
}
