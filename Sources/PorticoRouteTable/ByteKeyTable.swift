/// An immutable hash table from byte strings (host names, paths) to values: built once with a
/// route table, probed on every request.
///
/// Not a `Dictionary<ByteKey, Value>`, which this replaced: a lookup there fed the key through
/// `Hasher` (SipHash, seeded and finalised) and reached a `Substring`'s bytes through generic
/// closures once to hash and again to compare, about 1,200 instructions for an 11-byte host.
/// Here the caller hands over the key's bytes once; they are hashed and compared eight at a
/// time (with the standard library alone, as the whole route table is: no `memcmp`). Keys are
/// compared byte for byte, as the Ingress API compares hosts (after normalisation) and paths.
///
/// The hash is seeded per table from the system's random source, so that which keys collide
/// differs from process to process; keys come from configuration and lookups cannot add any,
/// so a client cannot grow a probe sequence.
struct ByteKeyTable<Value: Sendable>: Sendable {
    /// Open addressing with linear probing over a power-of-two number of slots, at most half
    /// of them taken, so a probe sequence stays short and always meets an empty slot.
    private let slots: [Slot]
    /// Every key's bytes, back to back; a slot says where its key lies.
    private let keyBytes: [UInt8]
    private let values: [Value]
    private let seed: UInt64

    private struct Slot: Sendable {
        var hash: UInt64 = 0
        var keyStart = 0
        var keyLength = 0
        /// Index into `values`; negative for an empty slot.
        var value = -1
    }

    /// An empty table: every lookup misses without hashing.
    init() {
        self.slots = []
        self.keyBytes = []
        self.values = []
        self.seed = 0
    }

    /// `entries` in order; of two entries with the same key, the first is kept (translation
    /// resolves such conflicts before, and reports them).
    init(_ entries: some Sequence<(key: String, value: Value)>) {
        let entries = Array(entries)
        guard !entries.isEmpty else {
            self.slots = []
            self.keyBytes = []
            self.values = []
            self.seed = 0
            return
        }
        var capacity = 2
        while capacity < 2 * entries.count { capacity <<= 1 }
        let seed = UInt64.random(in: .min ... .max)
        let mask = capacity - 1
        var slots = [Slot](repeating: Slot(), count: capacity)
        var keyBytes: [UInt8] = []
        keyBytes.reserveCapacity(entries.reduce(0) { $0 + $1.key.utf8.count })
        var values: [Value] = []
        values.reserveCapacity(entries.count)
        for index in entries.indices {
            let key = entries[index].key
            let length = key.utf8.count
            let start = keyBytes.count
            keyBytes.append(contentsOf: key.utf8)
            let hash = keyBytes.withUnsafeBufferPointer { all in
                Self.hash(UnsafeBufferPointer(rebasing: all[start...]), seed: seed)
            }
            var position = Int(truncatingIfNeeded: hash) & mask
            var duplicate = false
            while slots[position].value >= 0 {
                let slot = slots[position]
                if slot.hash == hash, slot.keyLength == length,
                    keyBytes[slot.keyStart..<slot.keyStart + length].elementsEqual(keyBytes[start...])
                {
                    duplicate = true
                    break
                }
                position = (position + 1) & mask
            }
            if duplicate {
                keyBytes.removeLast(length)
                continue
            }
            slots[position] = Slot(hash: hash, keyStart: start, keyLength: length, value: values.count)
            values.append(entries[index].value)
        }
        self.slots = slots
        self.keyBytes = keyBytes
        self.values = values
        self.seed = seed
    }

    var isEmpty: Bool { self.values.isEmpty }
    var count: Int { self.values.count }

    /// The value stored under exactly these bytes.
    func value(forKey key: UnsafeBufferPointer<UInt8>) -> Value? {
        guard !self.slots.isEmpty else { return nil }
        let hash = Self.hash(key, seed: self.seed)
        let found = self.slots.withUnsafeBufferPointer { slots in
            self.keyBytes.withUnsafeBufferPointer { stored -> Int? in
                let mask = slots.count - 1
                var position = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let slot = slots[position]
                    if slot.value < 0 { return nil }
                    if slot.hash == hash, slot.keyLength == key.count, Self.equal(key, stored, at: slot.keyStart) {
                        return slot.value
                    }
                    position = (position + 1) & mask
                }
            }
        }
        return found.map { self.values[$0] }
    }

    /// Whether `key` is the bytes of `stored` from `start` on (which hold at least as many).
    private static func equal(_ key: UnsafeBufferPointer<UInt8>, _ stored: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard let keyBase = key.baseAddress, let storedBase = stored.baseAddress else { return key.isEmpty }
        let left = UnsafeRawPointer(keyBase)
        let right = UnsafeRawPointer(storedBase + start)
        var offset = 0
        while offset + 8 <= key.count {
            guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            else { return false }
            offset += 8
        }
        while offset < key.count {
            guard keyBase[offset] == storedBase[start + offset] else { return false }
            offset += 1
        }
        return true
    }

    /// The value stored under `key`'s UTF-8 bytes.
    func value(forKey key: Substring) -> Value? {
        if let found = key.utf8.withContiguousStorageIfAvailable({ self.value(forKey: $0) }) { return found }
        return Array(key.utf8).withUnsafeBufferPointer { self.value(forKey: $0) }
    }

    /// A multiply-xorshift hash over little-endian words: a few instructions a word, and every
    /// input bit reaches the low bits the slot index takes.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed ^ (UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while offset + 8 <= bytes.count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                hash ^= hash >> 31
                offset += 8
            }
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 29)
    }
}
