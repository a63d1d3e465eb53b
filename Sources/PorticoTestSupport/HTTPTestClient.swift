public import NIOCore
public import NIOHTTP1
internal import NIOPosix
internal import Synchronization

/// A small HTTP/1.1 client for loopback tests: one connection, reused across requests
/// (keep-alive), bodies that can be generated on the fly, and a raw-bytes mode for malformed
/// input. Use it from one task at a time.
public final class HTTPTestClient {
    /// A request body.
    public enum Body: Sendable {
        case none
        case string(String)
        /// `total` bytes written in `chunkSize` pieces as the connection takes them, never held
        /// whole in memory.
        case generated(total: Int, chunkSize: Int = 64 * 1024)
    }

    /// A received response. `body` holds the bytes only when collected; `bodyByteCount` always
    /// counts them.
    public struct Response: Sendable {
        public var head: HTTPResponseHead
        /// Informational (1xx) statuses received before `head`.
        public var informational: [HTTPResponseStatus]
        public var body: ByteBuffer
        public var bodyByteCount: Int
        public var status: Int { Int(self.head.status.code) }
        public var bodyString: String { String(buffer: self.body) }
        public func header(_ name: String) -> String? { self.head.headers.first(name: name) }
    }

    /// The response stream ended before a complete response arrived.
    public struct ConnectionClosed: Error {}

    let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator

    private init(
        channel: any Channel,
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects to `host:port`, runs `body` with the client, then closes the connection.
    /// With `tls`, the connection speaks TLS first (see `TLSClientSettings`); a `preamble` (a
    /// PROXY protocol header) is sent before anything else.
    public static func withConnection<Result>(
        host: String = "127.0.0.1",
        port: Int,
        group: (any EventLoopGroup)? = nil,
        tls: TLSClientSettings? = nil,
        preamble: [UInt8]? = nil,
        _ body: (HTTPTestClient) async throws -> Result
    ) async throws -> Result {
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        let channel = try await ClientBootstrap(group: group).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                if let preamble { try channel.pipeline.syncOperations.addHandler(PreambleHandler(bytes: preamble)) }
                if let tls { try tls.addHandler(to: channel) }
                // Interim responses are forwarded (not dropped, NIO's default) so that tests can
                // see `100 Continue`.
                try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(HTTPResponseDecoder(informationalResponseStrategy: .forward))
                )
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                    wrappingChannelSynchronously: channel
                )
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            let client = HTTPTestClient(
                channel: channel.channel,
                inbound: inbound.makeAsyncIterator(),
                outbound: outbound
            )
            return try await body(client)
        }
    }

    /// Sends one request and reads its response.
    ///
    /// - Parameters:
    ///   - waitForContinue: send the head, wait for `100 Continue`, then the body (for
    ///     `Expect: 100-continue` tests).
    ///   - collectBody: keep the response body bytes (false only counts them).
    public func send(
        method: HTTPMethod = .GET,
        uri: String = "/",
        host: String? = "example.com",
        headers: [(String, String)] = [],
        body: Body = .none,
        version: HTTPVersion = .http1_1,
        waitForContinue: Bool = false,
        collectBody: Bool = true
    ) async throws -> Response {
        var head = HTTPRequestHead(version: version, method: method, uri: uri)
        if let host { head.headers.add(name: "host", value: host) }
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        switch body {
        case .none: ()
        case .string(let string):
            if !head.headers.contains(name: "content-length"), !head.headers.contains(name: "transfer-encoding") {
                head.headers.add(name: "content-length", value: String(string.utf8.count))
            }
        case .generated(let total, _):
            if !head.headers.contains(name: "content-length"), !head.headers.contains(name: "transfer-encoding") {
                head.headers.add(name: "content-length", value: String(total))
            }
        }
        let writer = self.outbound
        if case .none = body, !waitForContinue {
            // One write: a server may answer and close as soon as it has the head, and a
            // separate (empty) `.end` written after that would fail on the closed channel.
            try await writer.write(contentsOf: [.head(head), .end(nil)])
        } else {
            try await writer.write(.head(head))
        }

        var informational: [HTTPResponseStatus] = []
        if waitForContinue {
            guard case .head(let interim) = try await self.inbound.next() else { throw ConnectionClosed() }
            informational.append(interim.status)
        }
        let allocator = self.channel.allocator
        let upload = Task {
            switch body {
            case .none:
                if !waitForContinue { return }
            case .string(let string):
                try await writer.write(.body(.byteBuffer(allocator.buffer(string: string))))
            case .generated(let total, let chunkSize):
                var remaining = total
                while remaining > 0 {
                    let size = min(chunkSize, remaining)
                    var buffer = allocator.buffer(capacity: size)
                    buffer.writeRepeatingByte(UInt8(ascii: "u"), count: size)
                    try await writer.write(.body(.byteBuffer(buffer)))
                    remaining -= size
                }
            }
            try await writer.write(.end(nil))
        }
        defer { upload.cancel() }

        var responseHead: HTTPResponseHead?
        var collected = allocator.buffer(capacity: 0)
        var count = 0
        while let part = try await self.inbound.next() {
            switch part {
            case .head(let received) where received.status.code < 200:
                informational.append(received.status)
            case .head(let received):
                responseHead = received
            case .body(var buffer):
                count += buffer.readableBytes
                if collectBody { collected.writeBuffer(&buffer) }
            case .end:
                guard let responseHead else { throw ConnectionClosed() }
                try await upload.value
                return Response(
                    head: responseHead,
                    informational: informational,
                    body: collected,
                    bodyByteCount: count
                )
            }
        }
        throw ConnectionClosed()
    }

    /// Whether the server has closed (or reset) the connection.
    public var isOpen: Bool { self.channel.isActive }

    /// Waits (bounded by `timeout`) until the server closes the connection; returns whether it
    /// did. When the time runs out the client closes the connection itself.
    public func waitForClose(timeout: TimeAmount = .seconds(5)) async -> Bool {
        let channel = self.channel
        let timedOut = Flag()
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            timedOut.value.withLock { $0 = true }
            channel.close(promise: nil)
        }
        try? await channel.closeFuture.get()
        timer.cancel()
        return !timedOut.value.withLock { $0 }
    }

    private final class Flag: Sendable {
        let value = Mutex(false)
    }

    /// Opens a connection, writes `bytes` exactly as given, and returns everything the server
    /// sends until it closes the connection or `timeout` passes.
    public static func rawExchange(
        host: String = "127.0.0.1",
        port: Int,
        bytes: String,
        timeout: TimeAmount = .seconds(10),
        group: (any EventLoopGroup)? = nil
    ) async throws -> String {
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        let channel = try await ClientBootstrap(group: group).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        let timer = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var received = ""
            do {
                // A server that closes at once (connection limit) makes this write fail; the
                // empty answer then says so.
                try await outbound.write(channel.channel.allocator.buffer(string: bytes))
                for try await buffer in inbound {
                    received += String(buffer: buffer)
                }
            } catch {
                // A reset ends the exchange like a close does; the bytes so far are the answer.
            }
            return received
        }
    }
}
