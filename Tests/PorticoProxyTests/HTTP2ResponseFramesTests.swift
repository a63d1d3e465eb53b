import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import PorticoTestSupport
import Testing

@testable import PorticoProxy

/// Portico's HTTP/1-to-HTTP/2 response translation against NIO's codec, which it bypasses: the
/// same parts must give the same frame payloads.
@Suite struct HTTP2ResponseFramesTests {
    /// What NIO's server codec writes for `part`, as (kind, fields or byte count, END_STREAM).
    private static func nios(_ part: HTTPServerResponsePart) throws -> HTTP2Frame.FramePayload {
        let channel = EmbeddedChannel(handler: HTTP2FramePayloadToHTTP1ServerCodec())
        try channel.writeOutbound(part)
        let payload = try #require(try channel.readOutbound(as: HTTP2Frame.FramePayload.self))
        _ = try channel.finish()
        return payload
    }

    private static func describe(_ payload: HTTP2Frame.FramePayload) -> String {
        switch payload {
        case .headers(let headers):
            return "HEADERS end=\(headers.endStream) " + headers.headers.map { "\($0.name): \($0.value)" }.joined(separator: " | ")
        case .data(let data):
            guard case .byteBuffer(let buffer) = data.data else { return "DATA file" }
            return "DATA end=\(data.endStream) \(String(buffer: buffer))"
        default:
            return "\(payload)"
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func partsBecomeTheFramesNIOWouldWrite(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<100 {
            var head = HTTPResponseHead(
                version: .http1_1,
                status: HTTP1EncoderTests.statuses[Int.random(in: 0..<HTTP1EncoderTests.statuses.count, using: &random)]
            )
            head.headers = HTTP1EncoderTests.headers(&random)
            if Bool.random(using: &random) { head.headers.add(name: "Connection", value: "keep-alive") }
            let parts: [HTTPServerResponsePart] =
                [.head(head)] + HTTP1EncoderTests.body(&random).map { .body($0) } + [.end(HTTP1EncoderTests.trailers(&random))]
            for part in parts {
                let ours = HTTP2ResponseFrames.payload(for: part, allocator: ByteBufferAllocator())
                #expect(Self.describe(ours) == Self.describe(try Self.nios(part)))
            }
        }
    }

    @Test func namesAreLowercasedAndConnectionSpecificFieldsDropped() {
        var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: 299))
        head.headers = ["Content-Type": "text/plain", "UPGRADE": "h2c", "Keep-Alive": "timeout=5", "x-ok": "1"]
        guard case .headers(let headers) = HTTP2ResponseFrames.payload(for: .head(head), allocator: ByteBufferAllocator()) else {
            Issue.record("no HEADERS")
            return
        }
        #expect(headers.headers.map { $0.name } == [":status", "content-type", "x-ok"])
        #expect(headers.headers.first(name: ":status") == "299")
        #expect(!headers.endStream)
    }
}
