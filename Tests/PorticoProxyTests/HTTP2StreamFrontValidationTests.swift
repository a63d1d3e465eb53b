import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import PorticoTestSupport
import Testing

@testable import PorticoProxy

/// The stream's front handler turns a well-formed request's frames into the request parts NIO's
/// HTTP/2-to-HTTP/1 codec would make; a malformed head or trailer block resets the stream with
/// PROTOCOL_ERROR and nothing of that stream goes further.
@Suite struct HTTP2StreamFrontValidationTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTP2StreamFront())
        return channel
    }

    private static func headers(_ fields: [(String, String)], endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .headers(.init(headers: HPACKHeaders(fields), endStream: endStream))
    }

    private static func data(_ text: String, endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: endStream))
    }

    private static let head = headers([(":method", "POST"), (":scheme", "http"), (":path", "/")])
    private static let body = data("x")

    private func inbound(_ channel: EmbeddedChannel) throws -> [HTTPServerRequestPart] {
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return parts
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
        let parts = try self.inbound(channel)
        #expect(parts.count == 3)
        #expect(parts.last == .end(["x-checksum": "1"]))
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

    /// RFC 9113 section 8.3.1 lets `Host` stand for `:authority`; NIO's codec refused such a
    /// request, the front serves it with the client's `Host`.
    @Test func hostWithoutAuthorityIsServed() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(
            Self.headers([(":method", "GET"), (":scheme", "https"), (":path", "/a"), ("host", "api.example")], endStream: true)
        )
        let parts = try self.inbound(channel)
        guard parts.count == 2, case .head(let head) = parts[0] else {
            Issue.record("expected a head and an end, got \(parts)")
            return
        }
        #expect(head.uri == "/a")
        #expect(head.headers[canonicalForm: "host"] == ["api.example"])
        #expect(head.headers.count == 1)
        #expect(parts[1] == .end(nil))
    }

    /// CONNECT has an authority and no path: nothing to route, so the stream closes, as it did
    /// when NIO's codec refused the block.
    @Test func connectClosesTheStream() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(Self.headers([(":method", "CONNECT"), (":authority", "example.com:443")]))
        try channel.writeInbound(Self.body)
        #expect(try self.inbound(channel).isEmpty)
        #expect(!channel.isActive)
    }

    // MARK: Against NIO's codec

    /// What NIO's server codec makes of `payloads`.
    private static func nios(_ payloads: [HTTP2Frame.FramePayload]) throws -> [HTTPServerRequestPart] {
        let channel = EmbeddedChannel(handler: HTTP2FramePayloadToHTTP1ServerCodec())
        for payload in payloads { try channel.writeInbound(payload) }
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        _ = try channel.finish()
        return parts
    }

    private func ours(_ payloads: [HTTP2Frame.FramePayload]) throws -> [HTTPServerRequestPart] {
        let channel = try self.makeChannel()
        for payload in payloads { try channel.writeInbound(payload) }
        let parts = try self.inbound(channel)
        #expect(try self.resets(channel).isEmpty)
        _ = try channel.finish()
        return parts
    }

    private static let methods = ["GET", "HEAD", "DELETE", "TRACE", "POST", "PUT", "PATCH", "OPTIONS", "PROPFIND", "PURGE"]
    private static let fields: [(String, String)] = [
        ("user-agent", "h2load nghttp2/1.52.0"), ("accept", "*/*"), ("host", "other.example"),
        ("content-length", "3"), ("content-type", "application/grpc"), ("te", "trailers"),
        ("cookie", "a=1"), ("cookie", "b=2"), ("x-empty", ""), ("x-utf8", "caf\u{e9}"),
    ]

    /// Random well-formed requests, each with or without a body and trailers and with END_STREAM
    /// on any of its frames: the same parts as NIO's codec, field for field and in order.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func partsAreTheOnesNIOsCodecMakes(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            var block: [(String, String)] = [
                (":method", Self.methods[Int.random(in: 0..<Self.methods.count, using: &random)]),
                (":scheme", Bool.random(using: &random) ? "https" : "http"),
                (":path", ["/", "/a/b?c=d", "*", "/caf\u{e9}"][Int.random(in: 0..<4, using: &random)]),
                (":authority", "api.example:8443"),
            ]
            block.shuffle(using: &random)
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                block.append(Self.fields[Int.random(in: 0..<Self.fields.count, using: &random)])
            }
            var payloads: [HTTP2Frame.FramePayload] = []
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                payloads = [Self.headers(block, endStream: true)]
            case 1:
                payloads = [Self.headers(block), Self.data("abc", endStream: true)]
            case 2:
                payloads = [Self.headers(block), Self.data("ab"), Self.data("", endStream: true)]
            default:
                payloads = [Self.headers(block), Self.data("abc"), Self.headers([("grpc-status", "0")], endStream: true)]
            }
            #expect(try self.ours(payloads) == Self.nios(payloads), "\(block)")
        }
    }
}
