import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import PorticoProxy

/// Portico's HTTP/1 request decoder, rule by rule: what it hands on for well-formed requests
/// however the bytes are cut into reads, and the status of every refusal.
@Suite struct HTTP1RequestDecoderTests {
    typealias Decoding = HTTP1RequestDecoding

    static func head(_ method: String, _ uri: String, _ version: String, _ headers: [String]) -> DecodedEvent {
        .head(method: method, uri: uri, version: version, headers: headers)
    }

    /// `GET / HTTP/1.1` with `headers`.
    static func head(_ headers: [String]) -> DecodedEvent {
        .head(method: "GET", uri: "/", version: "HTTP/1.1", headers: headers)
    }

    @Test func aGetIsAHeadAndAnEnd() throws {
        let events = try Decoding.portico("GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5 \r\nAccept:*/*\r\n\r\n")
        #expect(events == [Self.head("GET", "/a?b=c", "HTTP/1.1", ["Host: example.com", "User-Agent: curl/8.5", "Accept: */*"]), .end(trailers: nil)])
    }

    /// Heads of one connection reuse the strings of the head before where bytes repeat
    /// (`HTTP1RecentFields`): a line that changes by one byte, keeps its length, moves, is
    /// added or dropped, and a target that changes, each must still be read as sent.
    @Test func consecutiveHeadsAreReadAsSentWhateverTheyShareWithTheOneBefore() throws {
        let heads: [(String, [String])] = [
            ("/a", ["Host: one.example", "Accept: */*", "X-Id: 1111"]),
            ("/a", ["Host: one.example", "Accept: */*", "X-Id: 1111"]),
            ("/b", ["Host: one.example", "Accept: */*", "X-Id: 2222"]),
            ("/b", ["Host: two.example", "Accept: */*"]),
            ("/b", ["Host: two.example", "Accept: */*", "X-Id: 2222", "X-New: yes"]),
            ("/", ["Accept: */*", "Host: two.example"]),
            ("/", ["accept: */*", "host: two.example", "x-id: 3"]),
            ("/ab", ["Host: two.example"]),
            ("/ab", ["Host: two.example", "Accept: */*", "X-Id: 1111"]),
        ]
        let stream = heads.map { "GET \($0.0) HTTP/1.1\r\n" + $0.1.map { "\($0)\r\n" }.joined() + "\r\n" }.joined()
        let expected = heads.flatMap { [Self.head("GET", $0.0, "HTTP/1.1", $0.1), DecodedEvent.end(trailers: nil)] }
        #expect(try Decoding.portico(stream) == expected)
        // One head a read, and the strings handed on must not change when later heads come.
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTP1RequestDecoder(maxHeadBytes: 8192))
        var received: [HTTPRequestHead] = []
        for (uri, fields) in heads {
            try channel.writeInbound(ByteBuffer(string: "GET \(uri) HTTP/1.1\r\n" + fields.map { "\($0)\r\n" }.joined() + "\r\n"))
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                if case .head(let head) = part { received.append(head) }
            }
        }
        #expect(received.map(\.uri) == heads.map(\.0))
        #expect(received.map { DecodedEvent.fields($0.headers) } == heads.map(\.1))
        _ = try channel.finish()
    }

    /// A new connection's decoder starts from the strings the last closed one left on the
    /// loop's shelf: each connection's head must still be read as it sent it, whatever it
    /// shares with the one before, and the heads handed on must not change later.
    @Test func newConnectionsReadTheirOwnHeadsFromTheShelf() throws {
        let heads: [(String, [String])] = [
            ("/a", ["Host: one.example", "Accept: */*", "X-Id: 1111"]),
            ("/a", ["Host: one.example", "Accept: */*", "X-Id: 1111"]),
            ("/b", ["Host: one.example", "Accept: */*", "X-Id: 2222"]),
            ("/b", ["Host: two.example"]),
            ("/", ["Host: two.example", "Accept: */*", "X-Id: 2222", "X-New: yes"]),
        ]
        let shelf = HTTP1RecentFields.Shelf()
        var received: [HTTPRequestHead] = []
        for (uri, fields) in heads {
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(HTTP1RequestDecoder(maxHeadBytes: 8192, shelf: shelf))
            try channel.writeInbound(ByteBuffer(string: "GET \(uri) HTTP/1.1\r\n" + fields.map { "\($0)\r\n" }.joined() + "\r\n"))
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                if case .head(let head) = part { received.append(head) }
            }
            _ = try channel.finish()
        }
        #expect(received.map(\.uri) == heads.map(\.0))
        #expect(received.map { DecodedEvent.fields($0.headers) } == heads.map(\.1))
    }

    @Test func everyCutIntoReadsGivesTheSameParts() throws {
        let request = Array(
            "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=\"v\"\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nx-checksum: 12\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                .utf8
        )
        let whole = try Decoding.portico([request])
        #expect(
            whole == [
                Self.head("POST", "/upload", "HTTP/1.1", ["Host: a", "Transfer-Encoding: chunked"]),
                .body("helloabcdefghijklmnopqrstuvwxyz"), .end(trailers: ["x-checksum: 12"]),
                Self.head("GET", "/next", "HTTP/1.1", ["Host: a", "Content-Length: 3"]), .body("abc"), .end(trailers: nil),
            ]
        )
        for cut in 1..<request.count {
            #expect(try Decoding.portico(Decoding.split(request, at: [cut])) == whole, "cut at \(cut)")
        }
        #expect(try Decoding.portico(request.map { [$0] }) == whole, "one byte a read")
    }

    @Test func aBodyIsHandedOnAsItArrivesWithoutWaitingForItsEnd() throws {
        let channel = EmbeddedChannel(handler: HTTP1RequestDecoder(maxHeadBytes: 8192))
        try channel.writeInbound(ByteBuffer(string: "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabcd"))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self).map { if case .head = $0 { true } else { false } } == true)
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .body(ByteBuffer(string: "abcd")))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        try channel.writeInbound(ByteBuffer(string: "efghij"))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .body(ByteBuffer(string: "efghij")))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == .end(nil))
        _ = try channel.finish()
    }

    @Test func lineEndsBeforeARequestAreSkipped() throws {
        let events = try Decoding.portico([Array("\r\n\n\rGET / HTTP/1.1\r\nHost: a\r\n\r\n\r".utf8), Array("\nGET /b HTTP/1.0\r\n\r\n".utf8)])
        #expect(events == [Self.head(["Host: a"]), .end(trailers: nil), Self.head("GET", "/b", "HTTP/1.0", []), .end(trailers: nil)])
    }

    @Test func everyFormOfRequestTargetIsTaken() throws {
        for (method, target) in [("GET", "/a/{b}|\"^`?q#f"), ("GET", "http://user@example.com:8080/x?y"), ("GET", "https://[::1]"),
            ("OPTIONS", "*"), ("CONNECT", "example.com:443")]
        {
            let events = try Decoding.portico("\(method) \(target) HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(events == [Self.head(method, target, "HTTP/1.1", ["Host: a"]), .end(trailers: nil)])
        }
    }

    @Test func extensionMethodsAndALaterMinorVersionAreTaken() throws {
        #expect(try Decoding.portico("PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n").first == Self.head("PURGE", "/x", "HTTP/1.1", ["Host: a"]))
        #expect(try Decoding.portico("GET / HTTP/1.7\r\nHost: a\r\n\r\n").first == Self.head(["Host: a"]))
        #expect(try Decoding.portico("GET / HTTP/1.0\r\n\r\n").first == Self.head("GET", "/", "HTTP/1.0", []))
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a\n\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n x-folded: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHo st: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\u{1}b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\u{7F}\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        ("GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http:/a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http:///b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http://a\"b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET 1http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET ** HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 501),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ])
    func malformedHeadsAreRefused(request: String, status: UInt) throws {
        let events = try Decoding.portico(request)
        #expect(events == [.error(status: status)], "\(request.debugDescription)")
    }

    @Test(arguments: [
        "5\r\nhelloX\r\n0\r\n\r\n",
        "g\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        " 5\r\nhello\r\n0\r\n\r\n",
        "5 \r\nhello\r\n0\r\n\r\n",
        "5\nhello\r\n0\r\n\r\n",
        "5;a=\u{1}\r\nhello\r\n0\r\n\r\n",
        "-5\r\nhello\r\n0\r\n\r\n",
        "fffffffffffffffff\r\n",
        "5\r\nhello\r\n0\r\nx-bad : 1\r\n\r\n",
    ])
    func malformedChunkedBodiesAreRefused(body: String) throws {
        let events = try Decoding.portico("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        #expect(events.last == .error(status: 400), "\(body.debugDescription): \(events)")
        #expect(!events.contains(.end(trailers: nil)))
    }

    @Test func chunkExtensionsAndWhitespaceBeforeThemAreTakenAndDropped() throws {
        let events = try Decoding.portico("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n5 ;x=\"y z\"\r\nhello\r\n00000\r\n\r\n")
        #expect(events.dropFirst() == [.body("hello"), .end(trailers: nil)])
    }

    @Test func aHeadOverTheLimitIs431WhetherItEndedOrNot() throws {
        let big = String(repeating: "a", count: 2000)
        #expect(try Decoding.portico("GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(big)\r\n\r\n", maxHeadBytes: 1024) == [.error(status: 431)])
        #expect(try Decoding.portico("GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(big)", maxHeadBytes: 1024) == [.error(status: 431)])
        let fits = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(try Decoding.portico(fits, maxHeadBytes: fits.utf8.count).count == 2)
        #expect(try Decoding.portico(fits, maxHeadBytes: fits.utf8.count - 1) == [.error(status: 431)])
        let trailers = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nx-big: \(big)\r\n\r\n"
        #expect(try Decoding.portico(trailers, maxHeadBytes: 1024).last == .error(status: 431))
    }

    @Test func aChunkSizeLineWithoutEndIsRefusedAtItsLimit() throws {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let events = try Decoding.portico(head + "5;" + String(repeating: "x", count: HTTP1ChunkSizeLine.maxBytes))
        #expect(events.last == .error(status: 400))
    }

    @Test func nothingIsReadAfterAnError() throws {
        let events = try Decoding.portico("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(events == [Self.head(["Host: a"]), .end(trailers: nil), .error(status: 400)])
    }

    @Test func nothingIsReadAfterAnUpgradeRequest() throws {
        let upgrade = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n"
        let events = try Decoding.portico(upgrade + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(events == [Self.head("GET", "/ws", "HTTP/1.1", ["Host: a", "Connection: keep-alive, Upgrade", "Upgrade: websocket"]), .end(trailers: nil)])
        // Not an upgrade by `HeaderRewriter`'s rule (not a GET): the connection carries on.
        let post = "POST /h2c HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(try Decoding.portico(post).count == 4)
    }
}
