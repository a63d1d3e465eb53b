import NIOCore
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// The concurrent-stream limit is enforced, not only advertised: a client that ignores it does
/// not get the extra stream served. swift-nio-http2 treats the violation as a connection error
/// (GOAWAY PROTOCOL_ERROR) and closes the connection, stricter than RFC 9113's stream
/// error; the streams within the limit may or may not reach the upstream before that close. NIO's own client honours the limit, so this one writes HTTP/2 frames by hand (HPACK
/// literals without Huffman coding).
@Suite struct HTTP2StreamLimitTests {
    /// A HEADERS frame with END_HEADERS and END_STREAM for a GET on `streamID`.
    static func headersFrame(streamID: UInt32) -> ByteBuffer {
        var block = ByteBuffer()
        for (name, value) in [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "example.com")] {
            block.writeInteger(UInt8(0))  // literal header field without indexing, new name
            block.writeInteger(UInt8(name.utf8.count))
            block.writeString(name)
            block.writeInteger(UInt8(value.utf8.count))
            block.writeString(value)
        }
        var frame = ByteBuffer()
        frame.writeInteger(UInt8(0))
        frame.writeInteger(UInt16(block.readableBytes))
        frame.writeInteger(UInt8(1))  // HEADERS
        frame.writeInteger(UInt8(0x5))  // END_STREAM | END_HEADERS
        frame.writeInteger(streamID)
        frame.writeBuffer(&block)
        return frame
    }

    @Test func aStreamAboveTheLimitIsRefused() async throws {
        let stub = try await UpstreamStub.start(name: "web", behavior: .neverAnswer)
        let harness = try await HTTP2IntegrationTests.Harness.start(
            makeTable([TestRoute(service: "web", endpoints: [stub.endpoint])]),
            configure: { $0.http2.maxConcurrentStreams = 2 }
        )
        let outcome: Result<[Frame], any Error>
        do {
            outcome = .success(try await Self.firstReset(port: harness.httpPort))
        } catch {
            outcome = .failure(error)
        }
        // Stream 5 never reaches the upstream; 1 and 3 race the connection's close.
        try await Task.sleep(for: .milliseconds(300))
        let upstreamRequests = stub.receivedRequests
        try await harness.server.shutdown()
        try await stub.close()
        let frames = try outcome.get()
        let goAway = try #require(frames.first { $0.type == 7 }, "frames received: \(frames)")
        #expect(goAway.second == 0x1, "PROTOCOL_ERROR")
        #expect(!frames.contains { $0.type == 1 && $0.streamID == 5 }, "no response on the refused stream")
        #expect(upstreamRequests <= 2)
    }

    /// A frame the server sent: its type, stream, and its first two 32-bit payload words (for
    /// GOAWAY the last stream ID and the error code; for RST_STREAM the error code first).
    struct Frame: CustomStringConvertible {
        var type: UInt8
        var streamID: UInt32
        var first: UInt32?
        var second: UInt32?
        var description: String { "type \(type) stream \(streamID) payload \(String(describing: first)) \(String(describing: second))" }
    }

    /// Opens three streams at once on a new connection and returns the frames the server sent
    /// up to its first GOAWAY or RST_STREAM, or all of them when none came within five seconds.
    static func firstReset(port: Int) async throws -> [Frame] {
        var request = ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        request.writeBytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  // SETTINGS, empty
        request.writeBytes([0, 0, 0, 4, 1, 0, 0, 0, 0])  // SETTINGS ACK of the server's SETTINGS
        for streamID: UInt32 in [1, 3, 5] {
            var frame = Self.headersFrame(streamID: streamID)
            request.writeBuffer(&frame)
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let timer = channel.channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.channel.close(promise: nil) }
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(request)
            var received = ByteBuffer()
            var frames: [Frame] = []
            for try await var buffer in inbound {
                received.writeBuffer(&buffer)
                // Frames: 3-byte length, type, flags, 4-byte stream ID, payload.
                while received.readableBytes >= 9,
                    let length = received.getInteger(at: received.readerIndex, as: UInt32.self).map({ Int($0 >> 8) }),
                    received.readableBytes >= 9 + length
                {
                    let type = received.getInteger(at: received.readerIndex + 3, as: UInt8.self)
                    let stream = received.getInteger(at: received.readerIndex + 5, as: UInt32.self) ?? 0
                    let first = length >= 4 ? received.getInteger(at: received.readerIndex + 9, as: UInt32.self) : nil
                    let second = length >= 8 ? received.getInteger(at: received.readerIndex + 13, as: UInt32.self) : nil
                    frames.append(Frame(type: type ?? 0, streamID: stream & 0x7FFF_FFFF, first: first, second: second))
                    if type == 3 || type == 7 { return frames }
                    received.moveReaderIndex(forwardBy: 9 + length)
                }
            }
            return frames
        }
    }
}
