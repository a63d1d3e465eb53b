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
        // Byte-wise throughout: every delimiter is ASCII, and Character-level indexing costs
        // far more than the lookup it serves.
        let bytes = host.utf8
        var end = bytes.endIndex
        if bytes.first == UInt8(ascii: "[") {
            // IPv6 literal: keep the brackets, drop a port after them.
            if let close = bytes.firstIndex(of: UInt8(ascii: "]")) { end = bytes.index(after: close) }
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            end = colon
        }
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: ".") {
            end = bytes.index(before: end)
        }
        let trimmed = bytes[bytes.startIndex..<end]
        if trimmed.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
            return Substring(Substring(trimmed).lowercased())
        }
        return Substring(trimmed)
    }
}
