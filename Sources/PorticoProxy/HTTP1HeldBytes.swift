internal import NIOCore

/// The bytes an HTTP/1 decoder read but could not use yet (part of a head, a chunk line, a
/// trailer section), kept until the next read completes them. Usually there are none: a read
/// holds whole messages, which are decoded straight from the read's buffer.
struct HTTP1HeldBytes {
    private var bytes: ByteBuffer?

    /// `input` after whatever was held; the held bytes are given up.
    mutating func joined(with input: ByteBuffer) -> ByteBuffer {
        guard var held = self.bytes else { return input }
        self.bytes = nil
        var input = input
        if held.readerIndex > 0 { held.discardReadBytes() }
        held.writeBuffer(&input)
        return held
    }

    /// Keeps what is left of `input` for the next read.
    mutating func keep(_ input: ByteBuffer) {
        self.bytes = input.readableBytes > 0 ? input : nil
    }

    /// Gives up the held bytes (for the handler that comes after the decoder).
    mutating func take() -> ByteBuffer? {
        defer { self.bytes = nil }
        return self.bytes
    }
}
