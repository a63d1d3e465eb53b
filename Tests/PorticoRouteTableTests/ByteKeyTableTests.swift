import Testing

@testable import PorticoRouteTable

/// The byte-keyed hash table behind host and path lookups.
@Suite struct ByteKeyTableTests {
    @Test func findsEveryKeyAndNothingElse() {
        let keys = (0..<10_000).map { "host-\($0).example.com" }
        let table = ByteKeyTable(keys.enumerated().map { (key: $0.element, value: $0.offset) })
        #expect(table.count == keys.count)
        for (index, key) in keys.enumerated() {
            #expect(table.value(forKey: Substring(key)) == index)
        }
        for index in 10_000..<11_000 {
            #expect(table.value(forKey: "host-\(index).example.com") == nil)
        }
        #expect(table.value(forKey: "host-1.example.co") == nil, "a prefix of a key is another key")
        #expect(table.value(forKey: "host-1.example.comm") == nil)
        #expect(table.value(forKey: "HOST-1.example.com") == nil, "bytes compare exactly; callers normalise")
    }

    /// Every length from empty to five words, each a prefix of the next: the hash reads whole
    /// words and then a tail, and a key must never match a longer or shorter one.
    @Test func keysOfEveryLengthAroundWordBoundaries() {
        let keys = (0...40).map { String(repeating: "a", count: $0) }
        let table = ByteKeyTable(keys.map { (key: $0, value: $0.count) })
        for key in keys {
            #expect(table.value(forKey: Substring(key)) == key.count)
        }
        #expect(table.value(forKey: Substring(String(repeating: "a", count: 41))) == nil)
        #expect(table.value(forKey: "b") == nil)
    }

    /// Keys of one length that differ in one byte, at every position: in a compared word or in
    /// the tail.
    @Test func keysDifferingInAnyOneByteAreDifferentKeys() {
        let base = Array("abcdefghijklmnopqrst".utf8)
        let variants = base.indices.map { index -> String in
            var bytes = base
            bytes[index] = UInt8(ascii: "Z")
            return String(decoding: bytes, as: UTF8.self)
        }
        let table = ByteKeyTable(variants.enumerated().map { (key: $0.element, value: $0.offset) })
        for (index, key) in variants.enumerated() {
            #expect(table.value(forKey: Substring(key)) == index)
        }
        #expect(table.value(forKey: Substring(String(decoding: base, as: UTF8.self))) == nil)
    }

    @Test func theFirstOfTwoEntriesWithOneKeyIsKept() {
        let table = ByteKeyTable([(key: "/a", value: 1), (key: "/b", value: 2), (key: "/a", value: 3)])
        #expect(table.count == 2)
        #expect(table.value(forKey: "/a") == 1)
        #expect(table.value(forKey: "/b") == 2)
    }

    @Test func anEmptyTableMissesAndAnEmptyKeyIsAKey() {
        let empty = ByteKeyTable<Int>([])
        #expect(empty.isEmpty)
        #expect(empty.value(forKey: "") == nil)
        #expect(empty.value(forKey: "x") == nil)
        let withEmptyKey = ByteKeyTable([(key: "", value: 7), (key: "x", value: 8)])
        #expect(withEmptyKey.value(forKey: "") == 7)
        #expect(withEmptyKey.value(forKey: "x") == 8)
    }

    /// A lookup key is usually a slice of a larger string (the Host or path of a request head).
    @Test func slicesOfLargerStringsAndNonASCIIKeys() {
        let table = ByteKeyTable([(key: "café.example", value: 1), (key: "/docs", value: 2)])
        let head = "GET /docs?x HTTP/1.1 café.example:80"
        let path = head.dropFirst(4).prefix(5)
        #expect(path == "/docs")
        #expect(table.value(forKey: path) == 2)
        let host = head.suffix(15).prefix(12)
        #expect(host == "café.example")
        #expect(table.value(forKey: host) == 1)
        #expect(table.value(forKey: "cafe\u{301}.example") == nil, "no Unicode normalisation: bytes differ")
    }

    /// Two tables built from the same keys hash with different seeds, so which keys collide is
    /// not fixed for every process; lookups agree all the same.
    @Test func tablesAreSeededApart() {
        let entries = (0..<100).map { (key: "k\($0)", value: $0) }
        let first = ByteKeyTable(entries)
        let second = ByteKeyTable(entries)
        let probe = Array("k42".utf8)
        let hashes = probe.withUnsafeBufferPointer { bytes in
            (ByteKeyTable<Int>.hash(bytes, seed: 1), ByteKeyTable<Int>.hash(bytes, seed: 2))
        }
        #expect(hashes.0 != hashes.1)
        for entry in entries {
            #expect(first.value(forKey: Substring(entry.key)) == second.value(forKey: Substring(entry.key)))
        }
    }
}
