internal import PorticoRouteTable

/// Validates an Ingress rule's `host` the way the Ingress v1 API does and turns it into a
/// `HostMatch`.
///
/// The API server would refuse these hosts; local mode has no API server, so translation
/// refuses them itself, and a manifest that works locally also applies to a cluster.
enum HostRule {
    enum Outcome: Equatable {
        case valid(HostMatch)
        /// The message to report against the `host` field.
        case invalid(String)
    }

    /// An absent or empty host means every host (`HostMatch.any`).
    static func parse(_ written: String?) -> Outcome {
        guard let written, !written.isEmpty else { return .valid(.any) }
        if written.hasPrefix("*.") {
            let suffix = written.dropFirst(2)
            guard isDNSSubdomain(suffix), !isIPv4(suffix) else {
                return .invalid("\(quoted(written)) is not a valid wildcard host: \"*.\" must be followed by a DNS name")
            }
            return .valid(.wildcard(String(HostName.normalize(suffix))))
        }
        if written.contains("*") {
            return .invalid("\(quoted(written)) is not a valid wildcard host: only a leading \"*.\" label is allowed")
        }
        if let colon = written.lastIndex(of: ":") {
            let name = written[..<colon]
            let port = written[written.index(after: colon)...]
            if isDNSSubdomain(name), !port.isEmpty, port.utf8.allSatisfy(isDigit) {
                return .invalid("\(quoted(written)) must not contain a port")
            }
            if written.utf8.allSatisfy(isIPv6Character) {
                return .invalid("\(quoted(written)) must be a DNS name, not an IP address")
            }
            return .invalid("\(quoted(written)) is not a valid DNS name")
        }
        if isIPv4(written[...]) {
            return .invalid("\(quoted(written)) must be a DNS name, not an IP address")
        }
        guard isDNSSubdomain(written[...]) else {
            return .invalid("\(quoted(written)) is not a valid DNS name")
        }
        return .valid(.exact(String(HostName.normalize(written[...]))))
    }

    /// A lower-case RFC 1123 subdomain: labels of `a-z`, `0-9` and `-`, each starting and ending
    /// with a letter or digit, at most 63 bytes each and 253 in all.
    static func isDNSSubdomain(_ name: Substring) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        var labelLength = 0
        var previous = UInt8(ascii: ".")
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0, previous != UInt8(ascii: "-") else { return false }
                labelLength = 0
            } else if isLowerAlphanumeric(byte) || (byte == UInt8(ascii: "-") && labelLength > 0) {
                labelLength += 1
                guard labelLength <= 63 else { return false }
            } else {
                return false
            }
            previous = byte
        }
        return labelLength > 0 && previous != UInt8(ascii: "-")
    }

    /// Four dot-separated decimal numbers of at most 255: what the API calls an IP address.
    static func isIPv4(_ name: Substring) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.utf8.count <= 3 && part.utf8.allSatisfy(isDigit) && (Int(part) ?? 256) <= 255
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    private static func isIPv6Character(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
    }
}

/// A value quoted for a diagnostic, so that empty strings and spaces stay visible.
func quoted(_ value: some StringProtocol) -> String {
    "\"\(value)\""
}
