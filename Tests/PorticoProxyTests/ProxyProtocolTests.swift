import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

/// PROXY protocol v1 and v2: the parser on whole, partial, truncated, malformed and oversize
/// headers, and the handler on an embedded channel (pipeline set up after the header, the
/// bytes behind it passed on, the connection closed on a bad header or the timeout).
@Suite struct ProxyProtocolTests {
    static func parse(_ bytes: [UInt8]) throws(ProxyProtocolError) -> (header: ProxyProtocolHeader, length: Int)? {
        try ProxyProtocolParser.parse(ByteBuffer(bytes: bytes))
    }

    static func v1(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func v2(command: UInt8 = 0x21, family: UInt8 = 0x11, block: [UInt8]) -> [UInt8] {
        ProxyProtocolParser.v2Signature + [command, family, UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block
    }

    static let v4Block: [UInt8] = [203, 0, 113, 7, 192, 0, 2, 1, 0xC3, 0x50, 0x01, 0xBB]

    static func address(_ host: String, _ port: Int) -> ProxiedAddress { ProxiedAddress(host: host, port: port) }

    @Test func v1TCP4AndTCP6() throws {
        let four = try #require(try Self.parse(Self.v1("PROXY TCP4 203.0.113.7 192.0.2.1 50000 443\r\nGET")))
        #expect(four.header == .proxied(source: Self.address("203.0.113.7", 50000), destination: Self.address("192.0.2.1", 443)))
        #expect(four.length == 44)
        let six = try #require(try Self.parse(Self.v1("PROXY TCP6 2001:db8::7 2001:db8::1 1 65535\r\n")))
        #expect(six.header == .proxied(source: Self.address("2001:db8::7", 1), destination: Self.address("2001:db8::1", 65535)))
        let unknown = try #require(try Self.parse(Self.v1("PROXY UNKNOWN ff:: whatever\r\n")))
        #expect(unknown.header == .local)
        #expect(unknown.header.sourceAddress == nil)
    }

    @Test func v2IPv4IPv6AndLocal() throws {
        let four = try #require(try Self.parse(Self.v2(block: Self.v4Block) + [0x47]))
        #expect(four.header == .proxied(source: Self.address("203.0.113.7", 50000), destination: Self.address("192.0.2.1", 443)))
        #expect(four.length == 28)
        var sixBlock = [UInt8](repeating: 0, count: 36)
        sixBlock[0] = 0x20; sixBlock[1] = 0x01; sixBlock[2] = 0x0D; sixBlock[3] = 0xB8; sixBlock[15] = 7
        sixBlock[16] = 0x20; sixBlock[17] = 0x01; sixBlock[18] = 0x0D; sixBlock[19] = 0xB8; sixBlock[31] = 1
        sixBlock[32] = 0; sixBlock[33] = 80; sixBlock[34] = 0; sixBlock[35] = 81
        let six = try #require(try Self.parse(Self.v2(family: 0x21, block: sixBlock)))
        #expect(six.header == .proxied(source: Self.address("2001:db8::7", 80), destination: Self.address("2001:db8::1", 81)))
        // LOCAL: a balancer health check; the address block is ignored.
        let local = try #require(try Self.parse(Self.v2(command: 0x20, family: 0x00, block: [])))
        #expect(local.header == .local)
        #expect(local.length == 16)
        // TLVs after the addresses are skipped with the block.
        let withTLV = try #require(try Self.parse(Self.v2(block: Self.v4Block + [0x04, 0x00, 0x01, 0x00])))
        #expect(withTLV.length == 32)
        // Unix sockets: nothing to report as a client IP.
        #expect(try Self.parse(Self.v2(family: 0x31, block: [UInt8](repeating: 0, count: 216)))?.header == .local)
    }

    @Test func partialHeadersNeedMoreBytes() throws {
        let v1 = Self.v1("PROXY TCP4 203.0.113.7 192.0.2.1 50000 443\r\n")
        let v2 = Self.v2(block: Self.v4Block)
        for cut in 0..<v1.count {
            #expect(try Self.parse(Array(v1.prefix(cut))) == nil, "v1 cut at \(cut)")
        }
        for cut in 0..<v2.count {
            #expect(try Self.parse(Array(v2.prefix(cut))) == nil, "v2 cut at \(cut)")
        }
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n", ProxyProtocolError.missingSignature),
        ("PROXY TCP4 203.0.113.7 192.0.2.1 50000 443\n", .malformedLine("PROXY TCP4 203.0.113.7 192.0.2.1 50000 44")),
        ("PROXY TCP5 203.0.113.7 192.0.2.1 50000 443\r\n", .malformedLine("PROXY TCP5 203.0.113.7 192.0.2.1 50000 443")),
        ("PROXY TCP4 203.0.113.7 192.0.2.1 50000\r\n", .malformedLine("PROXY TCP4 203.0.113.7 192.0.2.1 50000")),
        ("PROXY TCP4 203.0.113.999 192.0.2.1 50000 443\r\n", .malformedLine("PROXY TCP4 203.0.113.999 192.0.2.1 50000 443")),
        ("PROXY TCP4 2001:db8::1 192.0.2.1 50000 443\r\n", .malformedLine("PROXY TCP4 2001:db8::1 192.0.2.1 50000 443")),
        ("PROXY TCP4 203.0.113.7 192.0.2.1 70000 443\r\n", .malformedLine("PROXY TCP4 203.0.113.7 192.0.2.1 70000 443")),
        ("PROXY TCP4 203.0.113.7 192.0.2.1 +5 443\r\n", .malformedLine("PROXY TCP4 203.0.113.7 192.0.2.1 +5 443")),
        ("PROXY TCP4  203.0.113.7 192.0.2.1 5 443\r\n", .malformedLine("PROXY TCP4  203.0.113.7 192.0.2.1 5 443")),
    ])
    func malformedV1(input: String, expected: ProxyProtocolError) {
        #expect(throws: expected) { try Self.parse(Self.v1(input)) }
    }

    @Test func oversizeAndMalformedV2() {
        let longLine = "PROXY UNKNOWN " + String(repeating: "x", count: 120)
        #expect(throws: ProxyProtocolError.lineTooLong) { try Self.parse(Self.v1(longLine)) }
        #expect(throws: ProxyProtocolError.unsupportedVersionOrCommand(0x11)) {
            try Self.parse(Self.v2(command: 0x11, block: Self.v4Block))
        }
        #expect(throws: ProxyProtocolError.unsupportedVersionOrCommand(0x22)) {
            try Self.parse(Self.v2(command: 0x22, block: Self.v4Block))
        }
        #expect(throws: ProxyProtocolError.truncatedAddresses) {
            try Self.parse(Self.v2(block: Array(Self.v4Block.prefix(8))))
        }
        #expect(throws: ProxyProtocolError.tooLarge(16 + 60000)) {
            try Self.parse(ProxyProtocolParser.v2Signature + [0x21, 0x11, 0xEA, 0x60])
        }
        // A v2 signature that goes wrong part way.
        #expect(throws: ProxyProtocolError.missingSignature) {
            try Self.parse(Array(ProxyProtocolParser.v2Signature.prefix(5)) + [0x41])
        }
    }

    @Test func v1HeaderForBackends() {
        #expect(
            ProxyProtocolHeader.v1Bytes(source: Self.address("203.0.113.7", 5000), destination: Self.address("192.0.2.1", 5432))
                == "PROXY TCP4 203.0.113.7 192.0.2.1 5000 5432\r\n"
        )
        #expect(
            ProxyProtocolHeader.v1Bytes(source: Self.address("2001:db8::7", 1), destination: Self.address("2001:db8::1", 2))
                == "PROXY TCP6 2001:db8::7 2001:db8::1 1 2\r\n"
        )
        #expect(ProxyProtocolHeader.v1Bytes(source: Self.address("2001:db8::7", 1), destination: Self.address("192.0.2.1", 2)) == "PROXY UNKNOWN\r\n")
        #expect(ProxyProtocolHeader.v1Bytes(source: nil, destination: nil) == "PROXY UNKNOWN\r\n")
    }

    // MARK: Handler

    final class Recorder {
        var headers: [ProxyProtocolHeader] = []
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var received = ByteBuffer()
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = Self.unwrapInboundIn(data)
            self.received.writeBuffer(&buffer)
        }
    }

    static func channel(recorder: Recorder, collector: Collector, timeout: TimeAmount = .seconds(5)) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let handler = ProxyProtocolHandler(timeout: timeout) { channel, header in
            recorder.headers.append(header)
            try channel.pipeline.syncOperations.addHandler(collector)
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func handlerSetsUpThePipelineAfterTheHeaderAndPassesTheRestOn() throws {
        let recorder = Recorder()
        let collector = Collector()
        let channel = try Self.channel(recorder: recorder, collector: collector)
        // Dripped one byte at a time, the request bytes arriving with the header's end.
        let bytes = Self.v1("PROXY TCP4 203.0.113.7 192.0.2.1 50000 443\r\nGET / HTTP/1.1\r\n")
        for byte in bytes.prefix(40) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            #expect(recorder.headers.isEmpty)
        }
        try channel.writeInbound(ByteBuffer(bytes: Array(bytes.dropFirst(40))))
        #expect(recorder.headers.map(\.sourceAddress) == ["203.0.113.7"])
        #expect(String(buffer: collector.received) == "GET / HTTP/1.1\r\n")
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: ProxyProtocolHandler.self) }
        try channel.writeInbound(ByteBuffer(string: "Host: a\r\n"))
        #expect(String(buffer: collector.received) == "GET / HTTP/1.1\r\nHost: a\r\n")
        #expect(try channel.finish().isClean)
    }

    @Test func handlerClosesOnAMalformedHeader() throws {
        let recorder = Recorder()
        let channel = try Self.channel(recorder: recorder, collector: Collector())
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        #expect(!channel.isActive)
        #expect(recorder.headers.isEmpty)
    }

    @Test func handlerClosesWhenTheHeaderIsLate() throws {
        let recorder = Recorder()
        let channel = try Self.channel(recorder: recorder, collector: Collector(), timeout: .seconds(2))
        try channel.writeInbound(ByteBuffer(bytes: Array(Self.v2(block: Self.v4Block).prefix(20))))
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(recorder.headers.isEmpty)
    }

    @Test func handlerAcceptsV2Local() throws {
        let recorder = Recorder()
        let collector = Collector()
        let channel = try Self.channel(recorder: recorder, collector: collector)
        try channel.writeInbound(ByteBuffer(bytes: Self.v2(command: 0x20, family: 0, block: []) + Array("ping".utf8)))
        #expect(recorder.headers == [.local])
        #expect(String(buffer: collector.received) == "ping")
        #expect(try channel.finish().isClean)
    }
}
