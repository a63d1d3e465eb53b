internal import Foundation
internal import NIOCore
internal import NIOPosix
internal import NIOSSL

/// A raw TCP client for layer-4 tests: connects (optionally with TLS), streams a payload with
/// backpressure while reading whatever comes back, half-closes its side when done sending,
/// and reports what it received.
public enum TCPTestClient {
    /// What to send.
    public enum Payload: Sendable {
        case bytes([UInt8])
        /// `count` bytes of `patternByte(at:)`, generated in chunks, never held whole.
        case pattern(count: Int)
    }

    public struct Outcome: Sendable {
        /// Bytes received in all.
        public let receivedCount: Int
        /// The first `keep` bytes received.
        public let head: [UInt8]
        /// Whether every received byte equals `patternByte(at:)` of its offset.
        public let matchesPattern: Bool
        /// Whether the server half-closed, closed or reset (the read side ended) before the
        /// deadline, rather than the client stopping after `stopAfter` bytes.
        public let sawEnd: Bool
        /// Common name of the TLS peer's certificate, when TLS was used.
        public let peerCommonName: String?
    }

    /// The byte at `offset` of a `.pattern` payload: not periodic in powers of two, so a lost,
    /// repeated or reordered chunk shows.
    public static func patternByte(at offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: offset % 251)
    }

    /// Connects to 127.0.0.1:`port`, sends `payload`, then half-closes (or, with `halfClose`
    /// false, keeps the output open) and reads until the peer ends its side, `stopAfter`
    /// bytes arrived, or `timeout` passes (which throws).
    public static func run(
        port: Int,
        tls: TLSClientSettings? = nil,
        payload: Payload,
        halfClose: Bool = true,
        stopAfter: Int? = nil,
        keep: Int = 4096,
        timeout: Duration = .seconds(30)
    ) async throws -> Outcome {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try tls?.addHandler(to: channel)
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await withThrowingTaskGroup(of: Outcome?.self) { inner in
                        inner.addTask {
                            // The peer may close first (that can be what a test checks), so a
                            // failed write ends sending rather than the exchange.
                            do {
                                try await send(payload, to: outbound)
                                if halfClose { outbound.finish() }
                            } catch {}
                            return nil
                        }
                        inner.addTask {
                            var count = 0
                            var head: [UInt8] = []
                            var matches = true
                            var ended = true
                            do {
                                reading: for try await buffer in inbound {
                                    if head.count < keep {
                                        head += buffer.readableBytesView.prefix(keep - head.count)
                                    }
                                    if matches { matches = matchesPattern(buffer, at: count) }
                                    count += buffer.readableBytes
                                    if let stopAfter, count >= stopAfter {
                                        ended = false
                                        break reading
                                    }
                                }
                            } catch let error as ChannelError where error == .inputClosed || error == .ioOnClosedChannel {
                                // Closed: the end.
                            } catch let error as IOError where error.errnoCode == ECONNRESET {
                                // Reset by a peer that closed with bytes unread: also the end.
                            }
                            let name: String?
                            if tls != nil, let certificate = try? await channel.channel.nioSSL_peerCertificate().get() {
                                name = TestCertificateAuthority.commonName(ofDER: try certificate.toDERBytes())
                            } else {
                                name = nil
                            }
                            return Outcome(receivedCount: count, head: head, matchesPattern: matches, sawEnd: ended, peerCommonName: name)
                        }
                        var outcome: Outcome?
                        for try await result in inner {
                            if let result { outcome = result }
                        }
                        return outcome
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TCPTestError.timedOut("TCP exchange with port \(port)")
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw TCPTestError.timedOut("TCP exchange with port \(port)")
        }
    }

    /// One period-aligned block of the pattern (251 × 256 bytes), sent as is and compared
    /// against with `memcmp`, so that 100 MB cost no per-byte work in debug builds.
    private static let patternBlock: [UInt8] = (0..<(251 * 256)).map { patternByte(at: $0) }

    private static func matchesPattern(_ buffer: ByteBuffer, at offset: Int) -> Bool {
        buffer.withUnsafeReadableBytes { received in
            patternBlock.withUnsafeBytes { block in
                var done = 0
                while done < received.count {
                    let start = (offset + done) % 251
                    let length = min(received.count - done, block.count - start)
                    guard let receivedBase = received.baseAddress, let blockBase = block.baseAddress,
                          memcmp(receivedBase + done, blockBase + start, length) == 0
                    else { return false }
                    done += length
                }
                return true
            }
        }
    }

    private static func send(_ payload: Payload, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        switch payload {
        case .bytes(let bytes):
            if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
        case .pattern(let count):
            let block = ByteBuffer(bytes: patternBlock)
            var offset = 0
            while offset < count {
                let size = min(block.readableBytes, count - offset)
                try await outbound.write(block.getSlice(at: block.readerIndex, length: size) ?? block)
                offset += size
            }
        }
    }
}
