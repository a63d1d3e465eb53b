internal import NIOHTTP1

/// Which of the headers that `HeaderRewriter` acts on a head carries, found in one scan of its
/// header list.
///
/// `HTTPHeaders` answers `contains(name:)` with a case-insensitive scan of the whole list, and
/// the rewrite of one request asks about some fifteen names; one scan that compares each name
/// only against the few of its length replaces them all. The flags may go stale once headers
/// are removed, so they only tell where a cheaper path is safe: a header flagged absent is
/// absent, and a header flagged present is looked at again before it is used.
struct HeaderPresence: OptionSet {
    let rawValue: UInt16

    /// `Connection` or any header of `HeaderRewriter.hopByHop`.
    static let hopByHop = HeaderPresence(rawValue: 1 << 0)
    static let upgrade = HeaderPresence(rawValue: 1 << 1)
    static let transferEncoding = HeaderPresence(rawValue: 1 << 2)
    static let expect = HeaderPresence(rawValue: 1 << 3)
    static let te = HeaderPresence(rawValue: 1 << 4)
    static let xForwardedFor = HeaderPresence(rawValue: 1 << 5)
    static let xRealIP = HeaderPresence(rawValue: 1 << 6)
    static let xForwardedHost = HeaderPresence(rawValue: 1 << 7)
    static let xForwardedProto = HeaderPresence(rawValue: 1 << 8)
    static let xForwardedPort = HeaderPresence(rawValue: 1 << 9)
    /// `Connection` itself (also `hopByHop`): its value names more headers to drop.
    static let connection = HeaderPresence(rawValue: 1 << 10)

    init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    init(scanning headers: HTTPHeaders) {
        var present: HeaderPresence = []
        for header in headers {
            present.formUnion(Self.flags(for: header.name))
        }
        self = present
    }

    /// The flags one header name sets: compared by length first, so most names cost one switch.
    static func flags(for name: String) -> HeaderPresence {
        let utf8 = name.utf8
        switch utf8.count {
        case 2:
            return Self.matches(utf8, "te") ? [.te, .hopByHop] : []
        case 6:
            return Self.matches(utf8, "expect") ? .expect : []
        case 7:
            if Self.matches(utf8, "upgrade") { return [.upgrade, .hopByHop] }
            return Self.matches(utf8, "trailer") ? .hopByHop : []
        case 9:
            return Self.matches(utf8, "x-real-ip") ? .xRealIP : []
        case 10:
            if Self.matches(utf8, "connection") { return [.connection, .hopByHop] }
            return Self.matches(utf8, "keep-alive") ? .hopByHop : []
        case 15:
            return Self.matches(utf8, "x-forwarded-for") ? .xForwardedFor : []
        case 16:
            if Self.matches(utf8, "x-forwarded-host") { return .xForwardedHost }
            if Self.matches(utf8, "x-forwarded-port") { return .xForwardedPort }
            return Self.matches(utf8, "proxy-connection") ? .hopByHop : []
        case 17:
            if Self.matches(utf8, "transfer-encoding") { return [.transferEncoding, .hopByHop] }
            return Self.matches(utf8, "x-forwarded-proto") ? .xForwardedProto : []
        case 18:
            return Self.matches(utf8, "proxy-authenticate") ? .hopByHop : []
        case 19:
            return Self.matches(utf8, "proxy-authorization") ? .hopByHop : []
        default:
            return []
        }
    }

    /// ASCII case-insensitive equality with a lowercase name of the same length.
    private static func matches(_ name: String.UTF8View, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { expected in
            guard expected.count == name.count else { return false }
            var index = 0
            for byte in name {
                let folded = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
                guard folded == expected[index] else { return false }
                index += 1
            }
            return true
        }
    }
}
