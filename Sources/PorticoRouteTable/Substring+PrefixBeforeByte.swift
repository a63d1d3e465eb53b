extension Substring {
    /// The bytes before the first `byte`, or all of them; without Character indexing.
    @inlinable
    func prefix(beforeByte byte: UInt8) -> Substring {
        guard let index = utf8.firstIndex(of: byte) else { return self }
        return Substring(utf8[utf8.startIndex..<index])
    }
}
