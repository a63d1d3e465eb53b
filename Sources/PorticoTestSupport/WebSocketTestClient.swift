public import NIOCore
internal import NIOPosix

/// A minimal WebSocket client over raw bytes for upgrade tests: it sends a handshake with a
/// fixed key, masked frames with a fixed masking key, and parses the server's unmasked frames.
/// Not a conforming implementation (no fragmentation, no extensions), only what tests need.
public final class WebSocketTestClient {
    /// The `Sec-WebSocket-Key` sent, and the `Sec-WebSocket-Accept` RFC 6455 derives from it.
    public static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    public static let expectedAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    /// A response head as read off the wire.
    public struct Head: Sendable {
        public var status: Int
        /// Header names lower-cased; repeated headers joined with ", ".
        public var headers: [String: String]
    }

    /// A frame from the server.
    public struct Frame: Sendable, Equatable {
        public var opcode: UInt8
        public var payload: [UInt8]

        public init(opcode: UInt8, payload: [UInt8]) {
            self.opcode = opcode
            self.payload = payload
        }
    }

    public struct ConnectionClosed: Error {}

    private let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer: ByteBuffer

    private init(
        channel: any Channel,
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.channel = channel
        self.inbound = inbound
        self.outbound = outbound
        self.buffer = channel.allocator.buffer(capacity: 0)
    }

    /// Connects to `127.0.0.1:port` (with TLS when `tls` is set), runs `body`, then closes.
    public static func withConnection<Result>(
        port: Int,
        tls: TLSClientSettings? = nil,
        _ body: (WebSocketTestClient) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try tls.addHandler(to: channel) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let client = WebSocketTestClient(channel: channel.channel, inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(client)
        }
    }

    /// Sends an upgrade request and reads the response head. `connection` is the value of the
    /// `Connection` header (nil leaves it out).
    public func handshake(host: String = "example.com", path: String = "/chat", connection: String? = "Upgrade") async throws -> Head {
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\n"
        if let connection { request += "Connection: \(connection)\r\n" }
        request += "Sec-WebSocket-Key: \(Self.key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await self.outbound.write(self.channel.allocator.buffer(string: request))
        return try await self.readHead()
    }

    /// Reads a response head (through the blank line); what follows stays buffered.
    public func readHead() async throws -> Head {
        while true {
            let view = self.buffer.readableBytesView
            if let end = view.firstRange(of: Array("\r\n\r\n".utf8)) {
                let length = end.upperBound - view.startIndex
                let text = self.buffer.readString(length: length) ?? ""
                var lines = text.split(separator: "\r\n").map(String.init)
                let statusLine = lines.isEmpty ? "" : lines.removeFirst()
                let parts = statusLine.split(separator: " ")
                let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let name = line[..<colon].lowercased()
                    let value = String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
                    headers[name] = headers[name].map { $0 + ", " + value } ?? value
                }
                return Head(status: status, headers: headers)
            }
            try await self.fill()
        }
    }

    /// Reads exactly `count` bytes.
    public func readBytes(_ count: Int) async throws -> [UInt8] {
        while self.buffer.readableBytes < count { try await self.fill() }
        return self.buffer.readBytes(length: count) ?? []
    }

    /// Sends one masked, final frame.
    public func send(opcode: UInt8 = 0x2, _ payload: [UInt8]) async throws {
        var frame = self.channel.allocator.buffer(capacity: payload.count + 14)
        frame.writeInteger(0x80 | opcode)
        if payload.count < 126 {
            frame.writeInteger(UInt8(0x80 | payload.count))
        } else if payload.count <= Int(UInt16.max) {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(payload.count))
        } else {
            frame.writeInteger(UInt8(0x80 | 127))
            frame.writeInteger(UInt64(payload.count))
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame.writeBytes(mask)
        frame.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        try await self.outbound.write(frame)
    }

    /// Sends a text frame.
    public func send(text: String) async throws {
        try await self.send(opcode: 0x1, Array(text.utf8))
    }

    /// Reads one (unmasked) frame from the server.
    public func readFrame() async throws -> Frame {
        let header = try await self.readBytes(2)
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            length = try await self.readBytes(2).reduce(0) { $0 << 8 | Int($1) }
        } else if length == 127 {
            length = try await self.readBytes(8).reduce(0) { $0 << 8 | Int($1) }
        }
        let payload = try await self.readBytes(length)
        return Frame(opcode: header[0] & 0x0F, payload: payload)
    }

    /// Half-closes: no more bytes from this side.
    public func closeOutput() async throws {
        try await self.channel.close(mode: .output)
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { self.channel.isActive }

    /// Waits (bounded by `timeout`) for the peer to close the connection, discarding bytes;
    /// returns whether it did. The default bound is generous: in the whole suite on two cores
    /// a close that takes milliseconds alone was seen to take over five seconds.
    public func waitForClose(timeout: TimeAmount = .seconds(15)) async -> Bool {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { timer.cancel() }
        let start = NIODeadline.now()
        do {
            while try await self.inbound.next() != nil {}
        } catch {
            // A reset ends the connection like a close does.
        }
        return NIODeadline.now() - start < timeout
    }

    private func fill() async throws {
        guard var more = try await self.inbound.next() else { throw ConnectionClosed() }
        self.buffer.writeBuffer(&more)
    }
}
