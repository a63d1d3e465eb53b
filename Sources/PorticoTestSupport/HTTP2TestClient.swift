public import NIOCore
internal import NIOHPACK
public import NIOHTTP2
internal import NIOPosix
internal import Synchronization

/// A small HTTP/2 client for loopback tests, built on swift-nio-http2: one connection (h2 over
/// TLS with ALPN, or h2c by prior knowledge), any number of concurrent streams on it, and the
/// connection-level frames the server sent (SETTINGS, GOAWAY) for tests of advertised limits.
///
/// Streams speak raw HTTP/2 frame payloads (`HTTP2TestStream`), so a test controls exactly
/// when a stream sends headers, data, trailers and END_STREAM: gRPC framing and bidirectional
/// streams need that.
public final class HTTP2TestClient: Sendable {
    /// A received response on one stream.
    public struct Response: Sendable {
        public var status: Int
        /// Regular (non-pseudo) response headers, in order.
        public var headers: [(String, String)]
        public var body: ByteBuffer
        /// The trailing HEADERS block, nil when the stream ended with DATA or with the head.
        public var trailers: [(String, String)]?
        /// The head itself carried END_STREAM (a gRPC "trailers-only" response).
        public var endedWithHead: Bool

        public var bodyString: String { String(buffer: self.body) }
        public func header(_ name: String) -> String? { Self.first(name, in: self.headers) }
        public func trailer(_ name: String) -> String? { self.trailers.flatMap { Self.first(name, in: $0) } }

        static func first(_ name: String, in fields: [(String, String)]) -> String? {
            fields.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// The server reset the stream (RST_STREAM) with this code.
    public struct StreamReset: Error {
        public var code: HTTP2ErrorCode
    }

    /// The stream's inbound side ended before a complete response arrived.
    public struct StreamEnded: Error {
        public init() {}
    }

    let channel: any Channel
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let recorder: ConnectionFrameRecorder.Records
    private let scheme: String

    private init(channel: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, recorder: ConnectionFrameRecorder.Records, scheme: String) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.recorder = recorder
        self.scheme = scheme
    }

    /// Every setting the server sent in its SETTINGS frames (not acknowledgements), in order.
    public var receivedSettings: [HTTP2Setting] { self.recorder.settings.withLock { $0 } }
    /// Whether the server sent GOAWAY.
    public var receivedGoAway: Bool { self.recorder.goAway.withLock { $0 } }

    /// Connects to `host:port`, runs `body` with the client, then closes the connection. With
    /// `tls` the client offers only `h2` by ALPN; without, it speaks h2c by prior knowledge.
    /// `validatesHeaderBlocks: false` lets a test send malformed header blocks
    /// (`HTTP2TestStream.sendHeaderBlock`) to see what the server does with them.
    public static func withConnection<Result>(
        host: String = "127.0.0.1",
        port: Int,
        tls: TLSClientSettings? = nil,
        group: (any EventLoopGroup)? = nil,
        validatesHeaderBlocks: Bool = true,
        _ body: (HTTP2TestClient) async throws -> Result
    ) async throws -> Result {
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        let records = ConnectionFrameRecorder.Records()
        let connectionConfiguration = {
            var configuration = NIOHTTP2Handler.ConnectionConfiguration()
            configuration.headerBlockValidation = validatesHeaderBlocks ? .enabled : .disabled
            return configuration
        }()
        let (channel, multiplexer) = try await ClientBootstrap(group: group).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                if var tls {
                    tls.applicationProtocols = ["h2"]
                    try tls.addHandler(to: channel)
                }
                let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .client,
                    connectionConfiguration: connectionConfiguration,
                    streamConfiguration: .init(),
                    inboundStreamInitializer: { stream in stream.close() }
                )
                try channel.pipeline.syncOperations.addHandler(ConnectionFrameRecorder(records: records))
                return (channel, multiplexer)
            }
        }
        let client = HTTP2TestClient(channel: channel, multiplexer: multiplexer, recorder: records, scheme: tls == nil ? "http" : "https")
        do {
            let result = try await body(client)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Opens a stream, runs `body` with it and closes it (resetting it if still open).
    public func withStream<Result>(_ body: (HTTP2TestStream) async throws -> Result) async throws -> Result {
        let promise = self.channel.eventLoop.makePromise(of: NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>.self)
        self.multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                promise.succeed(try NIOAsyncChannel(wrappingChannelSynchronously: stream))
            }
        }.whenFailure { promise.fail($0) }
        let stream = try await promise.futureResult.get()
        let scheme = self.scheme
        return try await stream.executeThenClose { inbound, outbound in
            try await body(HTTP2TestStream(inbound: inbound.makeAsyncIterator(), outbound: outbound, scheme: scheme))
        }
    }

    /// Sends one request on a new stream and reads the whole response.
    public func send(
        method: String = "GET",
        path: String = "/",
        authority: String = "example.com",
        headers: [(String, String)] = [],
        body: ByteBuffer? = nil,
        trailers: [(String, String)]? = nil
    ) async throws -> Response {
        try await self.withStream { stream in
            let endsWithHead = body == nil && trailers == nil
            try await stream.sendHeaders(method: method, path: path, authority: authority, headers: headers, endStream: endsWithHead)
            if let body { try await stream.sendData(body, endStream: trailers == nil) }
            if let trailers { try await stream.sendTrailers(trailers) }
            return try await stream.readResponse()
        }
    }
}

/// One stream of an `HTTP2TestClient`. Use it from one task at a time.
public final class HTTP2TestStream {
    /// A frame payload the server sent on this stream, as a test wants to see it.
    public enum Part {
        case headers([(String, String)], endStream: Bool)
        case data(ByteBuffer, endStream: Bool)
    }

    private var inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTP2Frame.FramePayload>
    private let scheme: String

    init(
        inbound: NIOAsyncChannelInboundStream<HTTP2Frame.FramePayload>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTP2Frame.FramePayload>,
        scheme: String
    ) {
        self.inbound = inbound
        self.outbound = outbound
        self.scheme = scheme
    }

    /// Sends the request HEADERS: the pseudo-headers, then `headers`.
    public func sendHeaders(
        method: String = "POST",
        path: String,
        authority: String = "example.com",
        headers: [(String, String)] = [],
        endStream: Bool = false
    ) async throws {
        var block = HPACKHeaders([(":method", method), (":path", path), (":scheme", self.scheme), (":authority", authority)])
        for (name, value) in headers { block.add(name: name, value: value) }
        try await self.outbound.write(.headers(.init(headers: block, endStream: endStream)))
    }

    /// Sends a HEADERS block exactly as given, pseudo-headers included, in this order.
    public func sendHeaderBlock(_ fields: [(String, String)], endStream: Bool = false) async throws {
        try await self.outbound.write(.headers(.init(headers: HPACKHeaders(fields), endStream: endStream)))
    }

    public func sendData(_ buffer: ByteBuffer, endStream: Bool = false) async throws {
        try await self.outbound.write(.data(.init(data: .byteBuffer(buffer), endStream: endStream)))
    }

    /// Sends a trailing HEADERS block, which ends the stream.
    public func sendTrailers(_ trailers: [(String, String)]) async throws {
        try await self.outbound.write(.headers(.init(headers: HPACKHeaders(trailers), endStream: true)))
    }

    /// The next HEADERS or DATA payload, nil when the stream's inbound side is over. Throws
    /// `StreamReset` on RST_STREAM.
    public func next() async throws -> Part? {
        while let payload = try await self.inbound.next() {
            switch payload {
            case .headers(let headers):
                return .headers(headers.headers.map { ($0.name, $0.value) }, endStream: headers.endStream)
            case .data(let data):
                guard case .byteBuffer(let buffer) = data.data else { continue }
                return .data(buffer, endStream: data.endStream)
            case .rstStream(let code):
                throw HTTP2TestClient.StreamReset(code: code)
            default:
                continue
            }
        }
        return nil
    }

    /// Reads the rest of a response: informational heads are skipped, then the head, the body
    /// and the trailers up to END_STREAM.
    public func readResponse() async throws -> HTTP2TestClient.Response {
        var response: HTTP2TestClient.Response?
        while let part = try await self.next() {
            switch part {
            case .headers(let fields, let endStream):
                if var current = response {
                    current.trailers = fields
                    return current
                }
                let status = Int(HTTP2TestClient.Response.first(":status", in: fields) ?? "") ?? 0
                if (100..<200).contains(status) { continue }
                let regular = fields.filter { !$0.0.hasPrefix(":") }
                let head = HTTP2TestClient.Response(
                    status: status, headers: regular, body: ByteBuffer(), trailers: nil, endedWithHead: endStream
                )
                if endStream { return head }
                response = head
            case .data(var buffer, let endStream):
                guard var current = response else { throw HTTP2TestClient.StreamEnded() }
                current.body.writeBuffer(&buffer)
                if endStream { return current }
                response = current
            }
        }
        throw HTTP2TestClient.StreamEnded()
    }
}

/// Records the connection-level frames the server sends (they reach the connection pipeline
/// after `NIOHTTP2Handler`; stream frames go to the stream channels).
private final class ConnectionFrameRecorder: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    final class Records: Sendable {
        let settings = Mutex<[HTTP2Setting]>([])
        let goAway = Mutex(false)
    }

    private let records: Records

    init(records: Records) {
        self.records = records
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data).payload {
        case .settings(.settings(let settings)):
            self.records.settings.withLock { $0.append(contentsOf: settings) }
        case .goAway:
            self.records.goAway.withLock { $0 = true }
        default:
            ()
        }
        context.fireChannelRead(data)
    }
}
