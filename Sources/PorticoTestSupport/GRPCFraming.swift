public import NIOCore

/// gRPC's length-prefixed message framing (gRPC over HTTP/2 spec): a one-byte compressed flag,
/// a four-byte big-endian length, then the message. Tests speak it over raw HTTP/2 streams
/// without a gRPC library, messages being plain bytes (no protobuf needed to echo them).
public enum GRPCFraming {
    /// `message` framed, uncompressed.
    public static func frame(_ message: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.utf8.count))
        buffer.writeString(message)
        return buffer
    }

    /// Collects DATA payloads and hands out whole messages as they complete; a message may span
    /// several DATA frames and a frame may hold several messages.
    public struct Reader: Sendable {
        private var pending = ByteBuffer()

        public init() {}

        public mutating func append(_ buffer: ByteBuffer) {
            var buffer = buffer
            self.pending.writeBuffer(&buffer)
        }

        /// The next complete message, or nil until more bytes arrive.
        public mutating func next() -> String? {
            guard self.pending.readableBytes >= 5,
                let length = self.pending.getInteger(at: self.pending.readerIndex + 1, as: UInt32.self),
                self.pending.readableBytes >= 5 + Int(length)
            else { return nil }
            self.pending.moveReaderIndex(forwardBy: 5)
            let message = self.pending.readString(length: Int(length)) ?? ""
            self.pending.discardReadBytes()
            return message
        }

        /// Bytes of an incomplete message still held.
        public var bufferedBytes: Int { self.pending.readableBytes }
    }
}
