import NIOCore
import NIOEmbedded
import NIOHTTP1
import PorticoTestSupport
import Testing

@testable import PorticoProxy
import PorticoRouteTable

/// Portico's HTTP/1 response decoder: framing by status and request method, the 101 switch,
/// bodies that end with the connection, refusals, and a differential run against llhttp
/// (NIO's `HTTPResponseDecoder`, which upstream connections used before).
@Suite struct HTTP1ResponseDecoderTests {
    /// What a response decoder handed on for `reads`, the requests' methods told first.
    static func events(_ reads: [[UInt8]], methods: [HTTPMethod], nio: Bool = false, close: Bool = false) throws -> [DecodedEvent] {
        let channel = EmbeddedChannel()
        if nio {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder()))
            for method in methods {
                channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: "/")), promise: nil)
            }
        } else {
            let decoder = HTTP1ResponseDecoder()
            try channel.pipeline.syncOperations.addHandler(decoder)
            for method in methods { decoder.requestSent(method) }
        }
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var events: [DecodedEvent] = []
        func drain() throws {
            while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
                switch part {
                case .head(let head):
                    events.append(.head(method: "", uri: "\(head.status.code)", version: "\(head.version)", headers: DecodedEvent.fields(head.headers)))
                case .body(var buffer):
                    let text = buffer.readString(length: buffer.readableBytes) ?? ""
                    if case .body(let previous)? = events.last {
                        events[events.count - 1] = .body(previous + text)
                    } else {
                        events.append(.body(text))
                    }
                case .end(let trailers):
                    events.append(.end(trailers: trailers.map(DecodedEvent.fields)))
                }
            }
        }
        for read in reads {
            do {
                try channel.writeInbound(ByteBuffer(bytes: read))
                try drain()
            } catch {
                try drain()
                events.append(.error(status: 0))
                return events
            }
        }
        if close {
            channel.pipeline.fireChannelInactive()
            try? drain()
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return events
    }

    static func events(_ text: String, methods: [HTTPMethod] = [.GET], close: Bool = false) throws -> [DecodedEvent] {
        try Self.events([Array(text.utf8)], methods: methods, close: close)
    }

    static func head(_ status: Int, _ headers: [String], version: String = "HTTP/1.1") -> DecodedEvent {
        .head(method: "", uri: "\(status)", version: version, headers: headers)
    }

    @Test func aLengthBodyAndAChunkedOneFollowEachOther() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nde\r\n0\r\ngrpc-status: 0\r\n\r\n"
        let events = try Self.events(text, methods: [.GET, .POST])
        #expect(
            events == [
                Self.head(200, ["Content-Length: 3"]), .body("abc"), .end(trailers: nil),
                Self.head(201, ["Transfer-Encoding: chunked"]), .body("de"), .end(trailers: ["grpc-status: 0"]),
            ]
        )
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            #expect(try Self.events(HTTP1RequestDecoding.split(bytes, at: [cut]), methods: [.GET, .POST]) == events, "cut at \(cut)")
        }
    }

    @Test func responsesThatHaveNoBodyEndAtTheirHead() throws {
        #expect(try Self.events("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", methods: [.HEAD]) == [Self.head(200, ["Content-Length: 5"]), .end(trailers: nil)])
        for status in [204, 304] {
            #expect(try Self.events("HTTP/1.1 \(status) X\r\nContent-Length: 5\r\n\r\n") == [Self.head(status, ["Content-Length: 5"]), .end(trailers: nil)])
        }
        #expect(try Self.events("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == [Self.head(200, ["Content-Length: 0"]), .end(trailers: nil)])
    }

    @Test func informationalResponsesAreDroppedAndTheMethodKept() throws {
        let events = try Self.events("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", methods: [.HEAD])
        #expect(events == [Self.head(200, ["Content-Length: 2"]), .end(trailers: nil)])
    }

    @Test func aBodyWithoutFramingEndsWithTheConnection() throws {
        let events = try Self.events("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of it", close: true)
        #expect(events == [Self.head(200, ["Server: old"], version: "HTTP/1.0"), .body("all of it"), .end(trailers: nil)])
    }

    @Test func bytesAfterA101GoOnToTheHandlerThatReplacesTheDecoder() throws {
        let channel = EmbeddedChannel()
        let decoder = HTTP1ResponseDecoder()
        try channel.pipeline.syncOperations.addHandler(decoder)
        decoder.requestSent(.GET)
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u{81}\u{2}hi"))
        guard case .head(let head)? = try channel.readInbound(as: HTTPClientResponsePart.self) else {
            Issue.record("no head")
            return
        }
        #expect(head.status == .switchingProtocols)
        #expect(try channel.readInbound(as: HTTPClientResponsePart.self) == .end(nil))
        try channel.writeInbound(ByteBuffer(string: "more"))
        #expect(try channel.readInbound(as: HTTPClientResponsePart.self) == nil)
        try channel.pipeline.syncOperations.removeHandler(decoder).wait()
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "\u{81}\u{2}himore"))
        _ = try channel.finish()
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 O\u{1}K\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
        "HTTP/1.1 200 OK\r\nX-Bad : a\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
    ])
    func malformedResponsesAreRefused(text: String) throws {
        let events = try Self.events(text)
        #expect(events.last == .error(status: 0), "\(text.debugDescription): \(events)")
        #expect(!events.contains(.end(trailers: nil)))
    }

    @Test func aStatusLineWithoutReasonIsTaken() throws {
        #expect(try Self.events("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") == [Self.head(200, ["Content-Length: 0"]), .end(trailers: nil)])
        #expect(try Self.events("HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n") == [Self.head(599, ["Content-Length: 0"]), .end(trailers: nil)])
    }

    /// Well-formed responses of every framing, to GET and HEAD, cut into random reads: the
    /// same parts as llhttp's.
    @Test func wellFormedResponsesDecodeAsLLHTTPDecodesThem() throws {
        var random = SplitMix64(seed: 0x5EED_0003)
        let statuses = [200, 201, 204, 206, 301, 304, 404, 500, 599]
        let fields = ["Server: nginx", "Date: Mon, 23 Nov 2026 21:00:00 GMT", "Content-Type: text/plain", "Connection: keep-alive", "X-Empty:", "Set-Cookie: a=b"]
        for round in 0..<300 {
            var text = ""
            var methods: [HTTPMethod] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let status = statuses.randomElement(using: &random) ?? 200
                methods.append(Bool.random(using: &random) ? .GET : .HEAD)
                text += "HTTP/1.1 \(status) Reason\r\n"
                for _ in 0..<Int.random(in: 0...4, using: &random) { text += (fields.randomElement(using: &random) ?? "") + "\r\n" }
                let body = String(repeating: "r", count: Int.random(in: 1...30, using: &random))
                let hasBody = methods.last != .HEAD && status != 204 && status != 304
                if Bool.random(using: &random) {
                    text += "Content-Length: \(body.utf8.count)\r\n\r\n" + (hasBody ? body : "")
                } else {
                    text += "Transfer-Encoding: chunked\r\n\r\n" + (hasBody ? String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n" : "")
                }
            }
            let bytes = Array(text.utf8)
            let cuts = (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 1..<bytes.count, using: &random) }
            let reads = HTTP1RequestDecoding.split(bytes, at: cuts)
            let portico = try Self.events(reads, methods: methods)
            let llhttp = try Self.events(reads, methods: methods, nio: true)
            #expect(portico == llhttp, "round \(round): \(text.debugDescription)")
        }
    }
}

/// `HTTP1KeepAlive` answers as NIO's `isKeepAlive` does, for every version and option mix.
@Suite struct HTTP1KeepAliveTests {
    @Test func answersAsNIOsIsKeepAlive() {
        let values: [[String]] = [[], ["close"], ["keep-alive"], ["Keep-Alive"], ["upgrade, CLOSE"], [" keep-alive ,te"], ["close", "keep-alive"], ["x-close"]]
        for version in [HTTPVersion.http1_0, .http1_1, .init(major: 2, minor: 0)] {
            for options in values {
                let headers = HTTPHeaders(options.map { ("Connection", $0) } + [("Host", "a")])
                let expected = HTTPRequestHead(version: version, method: .GET, uri: "/", headers: headers).isKeepAlive
                #expect(HTTP1KeepAlive.isKeepAlive(headers, version: version) == expected, "\(version) \(options)")
            }
        }
    }
}

/// The pooled connection's wiring: the decoder hands parts straight to `UpstreamConnection`,
/// which holds the decoder through its encoder, and the cycle ends with the channel.
@Suite struct HTTP1ResponseDeliveryTests {
    final class Recorder: UpstreamDelegate {
        var parts: [HTTPClientResponsePart] = []
        func upstreamReceived(_ part: consuming HTTPClientResponsePart) { self.parts.append(part) }
        func upstreamReadComplete() {}
        func upstreamWritabilityChanged(isWritable: Bool) {}
        func upstreamClosed() {}
    }

    @Test func partsGoStraightToTheConnectionAndNothingOutlivesTheChannel() throws {
        weak var weakDecoder: HTTP1ResponseDecoder?
        weak var weakConnection: UpstreamConnection?
        let recorder = Recorder()
        try {
            let channel = EmbeddedChannel()
            let decoder = HTTP1ResponseDecoder()
            let encoder = UpstreamRequestEncoder(responseDecoder: decoder)
            let connection = UpstreamConnection(endpoint: Endpoint(host: "127.0.0.1", port: 1), encoder: encoder)
            try channel.pipeline.syncOperations.addHandlers([encoder, decoder, connection])
            decoder.deliver(to: connection)
            connection.delegate = recorder
            weakDecoder = decoder
            weakConnection = connection
            connection.write(.head(HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/", headers: ["Host": "a"])))
            try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"))
            #expect(try channel.readInbound(as: HTTPClientResponsePart.self) == nil, "parts went down the pipeline")
            _ = try channel.finish(acceptAlreadyClosed: true)
        }()
        #expect(recorder.parts.count == 2)
        if case .head(let head)? = recorder.parts.first { #expect(head.status == .ok) } else { Issue.record("no head first") }
        #expect(recorder.parts.last == .end(nil))
        #expect(weakDecoder == nil)
        #expect(weakConnection == nil)
    }
}
