/// How a virtual host matches the request's Host.
///
/// `*.example.com` matches exactly one more DNS label, as the Ingress v1 API defines: it matches
/// `a.example.com`, never `example.com` or `a.b.example.com`. (Envoy's `*.example.com` domain
/// matches any depth; Portico follows the Ingress API instead.)
public enum HostMatch: Hashable, Sendable, CustomStringConvertible {
    case exact(String)
    /// The suffix after `*.`, lower-cased: `.wildcard("example.com")` for `*.example.com`.
    case wildcard(String)
    /// A rule without host: every host that no exact or wildcard host claims.
    case any

    public var description: String {
        switch self {
        case .exact(let host): host
        case .wildcard(let suffix): "*.\(suffix)"
        case .any: "*"
        }
    }
}

/// Host header normalisation shared by translation and the proxy, so that both sides agree on
/// what a host is: lower case, no port, no trailing dot.
public enum HostName {
    /// Normalises a Host header (or an Ingress host) for lookup. Returns the input unchanged
    /// (no allocation) when it is already normal, which is the common case.
    public static func normalize(_ host: Substring) -> Substring {
        // Byte-wise throughout, on the contiguous UTF-8 of a native string: every delimiter is
        // ASCII, and walking the UTF-8 view by index cost about 1,200 instructions a request.
        let native = host.utf8.withContiguousStorageIfAvailable(Self.normalForm(of:))
        let (length, hasUpperCase) = native ?? Array(host.utf8).withUnsafeBufferPointer(Self.normalForm(of:))
        let end = host.utf8.index(host.startIndex, offsetBy: length)
        let trimmed = host[host.startIndex..<end]
        return hasUpperCase ? Substring(trimmed.lowercased()) : trimmed
    }

    /// How many leading bytes of a Host value are the host, and whether they hold upper case.
    static func normalForm(of bytes: UnsafeBufferPointer<UInt8>) -> (length: Int, hasUpperCase: Bool) {
        var end = bytes.count
        if bytes.first == UInt8(ascii: "[") {
            // IPv6 literal: keep the brackets, drop a port after them.
            if let close = bytes.firstIndex(of: UInt8(ascii: "]")) { end = close + 1 }
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            end = colon
        }
        while end > 0, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        for index in 0..<end where bytes[index] &- UInt8(ascii: "A") < 26 {
            return (end, true)
        }
        return (end, false)
    }
}
