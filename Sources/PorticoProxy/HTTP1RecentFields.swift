#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The strings of the last head a decoder read, offered to the next head of the same
/// connection: consecutive heads on a keep-alive connection repeat most of their lines byte for
/// byte (a client's `Host`, `User-Agent` and `Accept`; an upstream's `Server`, `Content-Type`,
/// even `Date` within a second), and comparing a line's bytes with the string made for the
/// same line last time costs a fraction of making (and UTF-8-validating) a new one.
///
/// Lines are matched by position: a head that adds or drops a line early on makes fresh
/// strings for the rest, and is none the worse for it. The strings are kept in a list of
/// their own, updated only where a line changed: sharing the head's list would make the
/// proxy's in-place edits of that head copy it.
struct HTTP1RecentFields {
    private var target = ""
    private var fields: [(String, String)] = []

    /// The request target's string: the last head's when its bytes are the same.
    mutating func target(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if !Self.same(self.target, bytes) { self.target = String(decoding: bytes, as: UTF8.self) }
        return self.target
    }

    /// Field line `index`'s name and value as strings, each the last head's line `index`'s
    /// when its bytes are the same, and kept for the next head.
    mutating func field(_ index: Int, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> (String, String) {
        guard index < self.fields.count else {
            let made = (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
            self.fields.append(made)
            return made
        }
        if !Self.same(self.fields[index].0, name) {
            self.fields[index].0 = String(decoding: name, as: UTF8.self)
        }
        if !Self.same(self.fields[index].1, value) {
            self.fields[index].1 = String(decoding: value, as: UTF8.self)
        }
        return self.fields[index]
    }

    /// The head had `count` lines: lines the last head had beyond them are forgotten.
    mutating func headEnded(fieldCount count: Int) {
        if self.fields.count > count { self.fields.removeLast(self.fields.count - count) }
    }

    /// The strings of the last connection that closed on an event loop, which the next
    /// connection's request decoder starts from. A client that opens a connection per request
    /// sends the same lines each time, and a new decoder had nothing to compare them with:
    /// every string made anew (`bench/callgrind.sh --close`: 125,300 → 123,940 instructions a
    /// request). Strings are only reused where the bytes match, so nothing of one connection
    /// shows in another.
    final class Shelf {
        var fields = HTTP1RecentFields()
    }

    /// Whether `string`'s UTF-8 is exactly `bytes`.
    private static func same(_ string: borrowing String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard string.utf8.count == bytes.count else { return false }
        guard let base = bytes.baseAddress else { return true }
        let same = string.utf8.withContiguousStorageIfAvailable { stored in
            stored.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
        }
        return same == true
    }
}
