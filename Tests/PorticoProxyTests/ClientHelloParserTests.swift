import NIOCore
import NIOEmbedded
import NIOSSL
import Testing

@testable import PorticoProxy

/// The SNI reader of TLS passthrough, on ClientHellos made by a real TLS client (BoringSSL
/// through NIOSSL), split across reads and records, and on broken input.
@Suite struct ClientHelloParserTests {
    /// The first bytes a NIOSSL client sends for `serverName`.
    static func clientHello(serverName: String?) throws -> ByteBuffer {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        var hello = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { hello.writeBuffer(&part) }
        _ = try? channel.finish()
        return hello
    }

    @Test func findsTheServerNameInARealHello() throws {
        let hello = try Self.clientHello(serverName: "Backend.Example.com")
        #expect(ClientHelloParser.parse(hello) == .serverName("backend.example.com"))
        #expect(ClientHelloParser.parse(try Self.clientHello(serverName: nil)) == .serverName(nil))
    }

    @Test func everyPrefixIsIncomplete() throws {
        let hello = try Self.clientHello(serverName: "a.test")
        for cut in stride(from: 0, to: hello.readableBytes, by: 7) {
            #expect(ClientHelloParser.parse(hello.getSlice(at: 0, length: cut) ?? ByteBuffer()) == .incomplete, "cut \(cut)")
        }
    }

    @Test func aHelloSplitAcrossRecordsIsJoined() throws {
        let hello = try Self.clientHello(serverName: "split.test")
        let all = Array(hello.readableBytesView)
        let header = Array(all.prefix(5))
        let body = Array(all.dropFirst(5))
        func record(_ payload: some Collection<UInt8>) -> [UInt8] {
            [header[0], header[1], header[2], UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
        }
        let split = record(body.prefix(30)) + record(body.dropFirst(30))
        #expect(ClientHelloParser.parse(ByteBuffer(bytes: split)) == .serverName("split.test"))
    }

    @Test func brokenInputIsMalformed() throws {
        #expect(ClientHelloParser.parse(ByteBuffer(string: "GET / HTTP/1.1\r\n")) == .malformed)
        // A handshake record holding a ServerHello (type 2).
        #expect(ClientHelloParser.parse(ByteBuffer(bytes: [22, 3, 1, 0, 4, 2, 0, 0, 0])) == .malformed)
        // A hello whose extensions length runs past its end.
        let bytes = Array(try Self.clientHello(serverName: "a.test").readableBytesView)
        var truncated = Array(bytes.prefix(5 + 4 + 34))
        truncated += [0]  // empty session id
        truncated += [0, 2, 0x13, 0x01, 1, 0]  // one suite, one compression method
        truncated += [0x01, 0x00]  // 256 bytes of extensions announced, none present
        let helloLength = truncated.count - 9
        truncated[3] = UInt8((helloLength + 4) >> 8); truncated[4] = UInt8((helloLength + 4) & 0xFF)
        truncated[6] = 0; truncated[7] = UInt8(helloLength >> 8); truncated[8] = UInt8(helloLength & 0xFF)
        #expect(ClientHelloParser.parse(ByteBuffer(bytes: truncated)) == .malformed)
    }
}
