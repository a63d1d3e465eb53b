import NIOCore
import NIOEmbedded
import NIOHTTP1
import PorticoTestSupport
import Testing

@testable import PorticoProxy

/// Portico's HTTP/1 encoders against NIO's, which they replace: the same parts must give the
/// same bytes. Then what NIO's response encoder only does through its decoder's internal link
/// (responses to HEAD and CONNECT), and the exact chunked framing.
@Suite struct HTTP1EncoderTests {
    /// Every byte `parts` leave `handler` with, in order, and how many writes carried them.
    static func bytes<Part>(of parts: [Part], through handler: any ChannelHandler) throws -> (String, Int) {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(handler)
        for part in parts {
            channel.write(part, promise: nil)
        }
        channel.flush()
        var all = ByteBuffer()
        var writes = 0
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(var buffer) = data else {
                Issue.record("a file region left the encoder")
                continue
            }
            all.writeBuffer(&buffer)
            writes += 1
        }
        _ = try channel.finish()
        return (String(buffer: all), writes)
    }

    static let methods: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS, .TRACE, .RAW(value: "PURGE")]
    static let statuses: [HTTPResponseStatus] = [
        .continue, .switchingProtocols, .ok, .created, .noContent, .notModified, .notFound,
        .init(statusCode: 299, reasonPhrase: "Fine"), .init(statusCode: 599, reasonPhrase: ""), .init(statusCode: 103),
    ]
    static let versions: [HTTPVersion] = [.http1_1, .http1_0]

    static func headers(_ random: inout SplitMix64) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let pool: [(String, String)] = [
            ("Host", "api.example"), ("user-agent", "curl/8.5"), ("Accept", "*/*"), ("x-forwarded-for", "10.0.0.1, 127.0.0.1"),
            ("X-Empty", ""), ("cookie", String(repeating: "k=v; ", count: 40)), ("x-utf8", "caf\u{e9} \u{1F600}"),
            ("content-type", "application/json"), ("trailer", "grpc-status"),
        ]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let (name, value) = pool[Int.random(in: 0..<pool.count, using: &random)]
            headers.add(name: name, value: value)
        }
        switch Int.random(in: 0..<5, using: &random) {
        case 0: headers.add(name: "Content-Length", value: "5")
        case 1: headers.add(name: "transfer-encoding", value: "chunked")
        case 2:
            headers.add(name: "content-length", value: "5")
            headers.add(name: "Transfer-Encoding", value: "chunked")
        case 3: headers.add(name: "transfer-encoding", value: "gzip, chunked")
        default: ()
        }
        return headers
    }

    static func body(_ random: inout SplitMix64) -> [IOData] {
        (0..<Int.random(in: 0...3, using: &random)).map { _ in
            let length = [0, 1, 15, 16, 255, 4096, 70_000][Int.random(in: 0..<7, using: &random)]
            return .byteBuffer(ByteBuffer(repeating: UInt8(ascii: "b"), count: length))
        }
    }

    static func trailers(_ random: inout SplitMix64) -> HTTPHeaders? {
        Bool.random(using: &random) ? nil : ["grpc-status": "0", "X-Checksum": "abc"]
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func requestsLeaveAsNIOWroteThem(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<150 {
            let uri = ["/", "/api/v1/items?id=7&q=a%20b", "*", "/" + String(repeating: "p", count: 300)][Int.random(in: 0..<4, using: &random)]
            var head = HTTPRequestHead(
                version: Self.versions[Int.random(in: 0..<2, using: &random)],
                method: Self.methods[Int.random(in: 0..<Self.methods.count, using: &random)],
                uri: uri
            )
            head.headers = Self.headers(&random)
            let parts = [HTTPClientRequestPart.head(head)] + Self.body(&random).map { .body($0) } + [.end(Self.trailers(&random))]
            let (ours, _) = try Self.bytes(of: parts, through: UpstreamRequestEncoder())
            let (nios, _) = try Self.bytes(of: parts, through: HTTPRequestEncoder())
            #expect(ours == nios, "\(head)")
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func responsesLeaveAsNIOWroteThem(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<150 {
            var head = HTTPResponseHead(
                version: Self.versions[Int.random(in: 0..<2, using: &random)],
                status: Self.statuses[Int.random(in: 0..<Self.statuses.count, using: &random)]
            )
            head.headers = Self.headers(&random)
            let encoder = DownstreamResponseEncoder()
            // NIO's encoder, outside NIO's server pipeline, is told no request method.
            if Bool.random(using: &random) { encoder.answering(.GET) }
            let parts = [HTTPServerResponsePart.head(head)] + Self.body(&random).map { .body($0) } + [.end(Self.trailers(&random))]
            let (ours, _) = try Self.bytes(of: parts, through: encoder)
            let (nios, _) = try Self.bytes(of: parts, through: HTTPResponseEncoder())
            #expect(ours == nios, "\(head)")
        }
    }

    /// `ProxyHandler` owns its encoder and hands it parts directly, to be written from its own
    /// place in the pipeline; they leave as through a pipeline with the encoder in it.
    @Test func partsHandedDirectlyLeaveAsThroughThePipeline() throws {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers = ["transfer-encoding": "chunked"]
        let parts: [HTTPServerResponsePart] = [.head(head), .body(.byteBuffer(ByteBuffer(string: "abc"))), .end(["x-sum": "1"])]
        let (throughPipeline, _) = try Self.bytes(of: parts, through: DownstreamResponseEncoder())

        /// Stands for ProxyHandler: a handler above the request decoder that writes through an
        /// encoder of its own.
        final class Owner: ChannelInboundHandler {
            typealias InboundIn = Never
            let encoder = DownstreamResponseEncoder()
            var context: ChannelHandlerContext?
            func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        }
        let channel = EmbeddedChannel()
        let owner = Owner()
        try channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(HTTPRequestDecoder()), owner])
        let context = try #require(owner.context)
        let last = channel.eventLoop.makePromise(of: Void.self)
        for part in parts.dropLast() { owner.encoder.write(part, from: context, promise: nil) }
        owner.encoder.write(parts[2], from: context, promise: last)
        channel.flush()
        #expect(throws: Never.self) { try last.futureResult.wait() }
        var direct = ""
        while case .byteBuffer(let buffer)? = try channel.readOutbound(as: IOData.self) { direct += String(buffer: buffer) }
        #expect(direct == throughPipeline)
        _ = try channel.finish()
    }

    /// One connection's heads, small and large in turn: a head larger than the size tried
    /// first is written again at its exact size, and every head leaves as NIO wrote it.
    @Test func headsOfEverySizeOnOneConnectionLeaveWhole() throws {
        var parts: [HTTPServerResponsePart] = []
        for size in [10, 3_000, 10, 700, 5_000, 10] {
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers = ["content-length": "0", "x-pad": String(repeating: "p", count: size)]
            parts += [.head(head), .end(nil)]
        }
        let (ours, writes) = try Self.bytes(of: parts, through: DownstreamResponseEncoder())
        let (nios, _) = try Self.bytes(of: parts, through: HTTPResponseEncoder())
        #expect(ours == nios)
        #expect(writes == 6)
    }

    @Test func aHeadIsOneWrite() throws {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers = ["content-length": "2", "server": "upstream", "date": "Mon, 23 Nov 2026 10:00:00 GMT"]
        let (bytes, writes) = try Self.bytes(of: [HTTPServerResponsePart.head(head)], through: DownstreamResponseEncoder())
        #expect(writes == 1)
        #expect(bytes == "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nserver: upstream\r\ndate: Mon, 23 Nov 2026 10:00:00 GMT\r\n\r\n")
    }

    /// A final head waits for the body part after it: a part that fits the room left in the
    /// head's buffer goes out in the same write; a larger one, a chunked one, a head alone
    /// (flushed) and an interim head are written as they come.
    @Test func aSmallBodyLeavesInItsHeadsWrite() throws {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers = ["content-length": "64", "server": "upstream"]
        let small = ByteBuffer(repeating: UInt8(ascii: "s"), count: 64)
        let expected = "HTTP/1.1 200 OK\r\ncontent-length: 64\r\nserver: upstream\r\n\r\n" + String(repeating: "s", count: 64)
        let parts: [HTTPServerResponsePart] = [.head(head), .body(.byteBuffer(small)), .end(nil)]
        let (bytes, writes) = try Self.bytes(of: parts, through: DownstreamResponseEncoder())
        #expect(bytes == expected)
        #expect(writes == 1)

        head.headers = ["content-length": "70000"]
        let large = ByteBuffer(repeating: UInt8(ascii: "l"), count: 70_000)
        let (largeBytes, largeWrites) = try Self.bytes(
            of: [HTTPServerResponsePart.head(head), .body(.byteBuffer(large)), .end(nil)],
            through: DownstreamResponseEncoder()
        )
        #expect(largeBytes == "HTTP/1.1 200 OK\r\ncontent-length: 70000\r\n\r\n" + String(repeating: "l", count: 70_000))
        #expect(largeWrites == 2)

        head.headers = ["transfer-encoding": "chunked"]
        let (chunkedBytes, _) = try Self.bytes(
            of: [HTTPServerResponsePart.head(head), .body(.byteBuffer(ByteBuffer(string: "abc"))), .end(nil)],
            through: DownstreamResponseEncoder()
        )
        #expect(chunkedBytes == "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")

        let interim = HTTPResponseHead(version: .http1_1, status: .continue)
        let (interimBytes, interimWrites) = try Self.bytes(
            of: [HTTPServerResponsePart.head(interim), .head(HTTPResponseHead(version: .http1_1, status: .noContent)), .end(nil)],
            through: DownstreamResponseEncoder()
        )
        #expect(interimBytes == "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        #expect(interimWrites == 2)

        // Handed over directly, as ProxyHandler does: a held head leaves with the owner's flush.
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(DownstreamResponseEncoder())
        let context = try channel.pipeline.syncOperations.context(handlerType: DownstreamResponseEncoder.self)
        let encoder = try #require(context.handler as? DownstreamResponseEncoder)
        head.headers = ["content-length": "1"]
        encoder.write(.head(head), from: context, promise: nil)
        // Flushed from the encoder's place (past its own `flush`, as ProxyHandler's context
        // does): nothing leaves while the head is held, and the head once the owner writes it.
        context.flush()
        #expect(try channel.readOutbound(as: IOData.self) == nil, "held for its body")
        encoder.writeHeldHead(from: context)
        context.flush()
        guard case .byteBuffer(let alone)? = try channel.readOutbound(as: IOData.self) else {
            Issue.record("the head did not leave")
            return
        }
        #expect(String(buffer: alone) == "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n")
        _ = try channel.finish()
    }

    @Test func aChunkedBodyIsFramedChunkByChunk() throws {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/upload")
        head.headers = ["host": "a"]
        let parts: [HTTPClientRequestPart] = [
            .head(head),
            .body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "x"), count: 31))),
            .body(.byteBuffer(ByteBuffer())),
            .body(.byteBuffer(ByteBuffer(string: "0123456789abcdef"))),
            .end(["grpc-status": "0"]),
        ]
        let (bytes, _) = try Self.bytes(of: parts, through: UpstreamRequestEncoder())
        #expect(
            bytes
                == "POST /upload HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n"
                + "1f\r\n" + String(repeating: "x", count: 31) + "\r\n"
                + "10\r\n0123456789abcdef\r\n"
                + "0\r\ngrpc-status: 0\r\n\r\n"
        )
    }

    @Test func aResponseToHEADKeepsItsHeadersAndSendsNoBody() throws {
        let encoder = DownstreamResponseEncoder()
        let channel = EmbeddedChannel(handler: encoder)
        encoder.answering(.HEAD)
        // An interim response does not take the method: the final one after it does.
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .continue)))
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        let body = channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "nope"))))
        channel.flush()
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(throws: NIOHTTPResponseEncoderError.responseBodyNotAllowed) { try body.wait() }
        #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")))
        #expect(
            try channel.readOutbound(as: IOData.self)
                == .byteBuffer(ByteBuffer(string: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"))
        )
        // What follows is the empty write that completes the end's promise in order: no body,
        // and no last chunk.
        #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(ByteBuffer()))
        #expect(try channel.readOutbound(as: IOData.self) == nil)

        // The next request is a GET: its response is chunked for real.
        encoder.answering(.GET)
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "yes"))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var rest = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { rest += String(buffer: buffer) }
        }
        #expect(rest == "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nyes\r\n0\r\n\r\n")
        #expect(try channel.finish().isClean)
    }

    @Test func aResponseToCONNECTSaysNothingOfABody() throws {
        let encoder = DownstreamResponseEncoder()
        encoder.answering(.CONNECT)
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers = ["content-length": "10", "transfer-encoding": "chunked", "via": "portico"]
        let (bytes, _) = try Self.bytes(of: [HTTPServerResponsePart.head(head), .end(nil)], through: encoder)
        #expect(bytes == "HTTP/1.1 200 OK\r\nvia: portico\r\n\r\n")
    }

    @Test func anHTTP10ResponseOfUnknownLengthIsNotChunked() throws {
        let (bytes, _) = try Self.bytes(
            of: [
                HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_0, status: .ok)),
                .body(.byteBuffer(ByteBuffer(string: "until close"))), .end(nil),
            ],
            through: DownstreamResponseEncoder()
        )
        #expect(bytes == "HTTP/1.0 200 OK\r\n\r\nuntil close")
    }
}
