/// ASCII case-insensitive comparison of a header field name with a known lowercase name, on
/// the name's bytes.
///
/// `HTTPHeaders.contains(name:)` and `first(name:)` compare every field of a head this way
/// through `String.UTF8View`, index by index; the callers here switch on the name's length
/// first, so most fields cost one comparison of two integers, and the bytes of a native
/// string (every name NIO's parser makes) are compared in place.
enum HeaderName {
    /// Whether `name` is `lowercase`, ignoring ASCII case.
    static func equals(_ name: String, _ lowercase: StaticString) -> Bool {
        guard name.utf8.count == lowercase.utf8CodeUnitCount else { return false }
        if let equal = name.utf8.withContiguousStorageIfAvailable({ Self.equals($0, lowercase) }) { return equal }
        return Array(name.utf8).withUnsafeBufferPointer { Self.equals($0, lowercase) }
    }

    /// Whether the bytes `name` are `lowercase`, ignoring ASCII case. Inlined: each call
    /// site compares with one constant, which the loop then unrolls against.
    @inline(__always)
    static func equals(_ name: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        let expected = lowercase.utf8Start
        guard lowercase.utf8CodeUnitCount == name.count else { return false }
        for index in 0..<name.count {
            let byte = name[index]
            let folded = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
            guard folded == expected[index] else { return false }
        }
        return true
    }
}
