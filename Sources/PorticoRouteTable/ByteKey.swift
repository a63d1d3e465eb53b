/// A hash-map key over a string's UTF-8 bytes.
///
/// `Substring` keys would work, but hashing and comparing them goes through `String`'s Unicode
/// machinery (grapheme breaking, normalisation checks); the route bench measured that at about
/// 1.8 µs per lookup. Host names and paths are compared byte for byte by the Ingress API anyway
/// (paths are case-sensitive and never normalised), so hashing the raw bytes is both correct and
/// an order of magnitude cheaper.
@usableFromInline
struct ByteKey: Hashable, Sendable {
    @usableFromInline let text: Substring

    @inlinable
    init(_ text: Substring) {
        self.text = text
    }

    @inlinable
    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
        hasher.combine(text.utf8.count)
    }

    @inlinable
    static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        let lhsBytes = lhs.text.utf8
        let rhsBytes = rhs.text.utf8
        guard lhsBytes.count == rhsBytes.count else { return false }
        let fast: Bool? = lhsBytes.withContiguousStorageIfAvailable { left in
            rhsBytes.withContiguousStorageIfAvailable { right in
                left.elementsEqual(right)
            }
        } ?? nil
        return fast ?? lhsBytes.elementsEqual(rhsBytes)
    }
}

extension Substring {
    /// The bytes before the first `byte`, or all of them; without Character indexing.
    @inlinable
    func prefix(beforeByte byte: UInt8) -> Substring {
        guard let index = utf8.firstIndex(of: byte) else { return self }
        return Substring(utf8[utf8.startIndex..<index])
    }
}
