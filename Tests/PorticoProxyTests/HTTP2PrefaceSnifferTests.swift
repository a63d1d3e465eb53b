import NIOCore
import NIOEmbedded
import PorticoRouteTable
import Testing

@testable import PorticoProxy

/// The h2c prior-knowledge switch on the plain listener: the classification table and the
/// real plain pipeline on an EmbeddedChannel, fed whole and byte by byte.
@Suite struct HTTP2PrefaceSnifferTests {
    static let preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    @Test(arguments: [
        ("", nil),
        ("P", nil),
        ("PRI * HTTP/2.0\r\n", nil),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r", nil),
        (preface, HTTP2PrefaceSniffer.Choice.http2),
        (preface + "\0\0\0\u{4}", .http2),
        ("G", .http1),
        ("GET / HTTP/1.1\r\n", .http1),
        ("PRI / HTTP/1.1\r\n", .http1),
        ("PRI * HTTP/1.1\r\n\r\n", .http1),
    ] as [(String, HTTP2PrefaceSniffer.Choice?)])
    func classifies(_ bytes: String, _ expected: HTTP2PrefaceSniffer.Choice?) {
        #expect(HTTP2PrefaceSniffer.classify(ByteBuffer(string: bytes)) == expected)
    }

    private func makeChannel() throws -> EmbeddedChannel {
        var configuration = ProxyConfiguration(httpPort: 0, workers: 1)
        configuration.http2.cleartextPriorKnowledge = true
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configurePlainEdgePipeline(
            configuration: configuration, routes: RouteTableStore(.empty), loop: loop, accessLogger: nil
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func written(_ channel: EmbeddedChannel) throws -> ByteBuffer {
        var all = ByteBuffer()
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(var buffer) = data { all.writeBuffer(&buffer) }
        }
        return all
    }

    @Test(arguments: [false, true])
    func http1RequestIsServedAsHTTP1(dripped: Bool) throws {
        let channel = try self.makeChannel()
        let request = "GET /x HTTP/1.1\r\nHost: nowhere\r\n\r\n"
        if dripped {
            for byte in request.utf8 { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        } else {
            try channel.writeInbound(ByteBuffer(string: request))
        }
        #expect(String(buffer: try self.written(channel)).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect((try? channel.pipeline.syncOperations.handler(type: HTTP2PrefaceSniffer.self)) == nil, "the sniffer left")
        _ = try channel.finish()
    }

    @Test(arguments: [false, true])
    func prefaceSwitchesToHTTP2(dripped: Bool) throws {
        let channel = try self.makeChannel()
        // The preface and an empty SETTINGS frame (length 0, type 4, no flags, stream 0).
        var bytes = ByteBuffer(string: Self.preface)
        bytes.writeBytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
        if dripped {
            while let byte = bytes.readBytes(length: 1) { try channel.writeInbound(ByteBuffer(bytes: byte)) }
        } else {
            try channel.writeInbound(bytes)
        }
        // The HTTP/2 pipeline flushes at the end of the event-loop tick (FlushCoalescingHandler).
        channel.embeddedEventLoop.run()
        let answer = try self.written(channel)
        // The server's first frame is its SETTINGS frame: type 4 at byte 3, stream 0.
        #expect(answer.getInteger(at: 3, as: UInt8.self) == 4)
        #expect(answer.getInteger(at: 5, as: UInt32.self) == 0)
        _ = try? channel.finish()
    }

    @Test func aSilentConnectionIsClosedAfterTheHeaderTimeout() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "PRI"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(!channel.isActive)
    }
}
