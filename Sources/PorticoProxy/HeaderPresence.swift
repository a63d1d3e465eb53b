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
    static let contentLength = HeaderPresence(rawValue: 1 << 11)

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
        // Header names from NIO's parser are native strings, so this is a view of their bytes.
        if let flags = name.utf8.withContiguousStorageIfAvailable(Self.flags(forBytes:)) { return flags }
        return Array(name.utf8).withUnsafeBufferPointer(Self.flags(forBytes:))
    }

    static func flags(forBytes name: UnsafeBufferPointer<UInt8>) -> HeaderPresence {
        switch name.count {
        case 2:
            return HeaderName.equals(name, "te") ? [.te, .hopByHop] : []
        case 6:
            return HeaderName.equals(name, "expect") ? .expect : []
        case 7:
            if HeaderName.equals(name, "upgrade") { return [.upgrade, .hopByHop] }
            return HeaderName.equals(name, "trailer") ? .hopByHop : []
        case 9:
            return HeaderName.equals(name, "x-real-ip") ? .xRealIP : []
        case 10:
            if HeaderName.equals(name, "connection") { return [.connection, .hopByHop] }
            return HeaderName.equals(name, "keep-alive") ? .hopByHop : []
        case 14:
            return HeaderName.equals(name, "content-length") ? .contentLength : []
        case 15:
            return HeaderName.equals(name, "x-forwarded-for") ? .xForwardedFor : []
        case 16:
            if HeaderName.equals(name, "x-forwarded-host") { return .xForwardedHost }
            if HeaderName.equals(name, "x-forwarded-port") { return .xForwardedPort }
            return HeaderName.equals(name, "proxy-connection") ? .hopByHop : []
        case 17:
            if HeaderName.equals(name, "transfer-encoding") { return [.transferEncoding, .hopByHop] }
            return HeaderName.equals(name, "x-forwarded-proto") ? .xForwardedProto : []
        case 18:
            return HeaderName.equals(name, "proxy-authenticate") ? .hopByHop : []
        case 19:
            return HeaderName.equals(name, "proxy-authorization") ? .hopByHop : []
        default:
            return []
        }
    }
}
