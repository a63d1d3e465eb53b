/// The certificates served by SNI name at one moment: exact names, one-label wildcards and the
/// default for everything else (unknown names, no SNI, IP addresses).
///
/// Immutable; `CertificateStore` publishes a whole new set, so a handshake sees one consistent
/// set and a swap never touches an established connection.
public struct CertificateSet: Sendable {
    public let defaultCertificate: ServerCertificate
    private let exact: [String: ServerCertificate]
    private let wildcard: [String: ServerCertificate]
    /// Every certificate by Secret, the default included: the last good versions a bad update
    /// falls back on.
    let bySecret: [String: ServerCertificate]

    /// - Parameter hosts: SNI name (normalised; `*.suffix` for wildcards) to certificate.
    init(defaultCertificate: ServerCertificate, hosts: [String: ServerCertificate]) {
        self.defaultCertificate = defaultCertificate
        var exact: [String: ServerCertificate] = [:]
        var wildcard: [String: ServerCertificate] = [:]
        var bySecret: [String: ServerCertificate] = [defaultCertificate.secret: defaultCertificate]
        for (host, certificate) in hosts {
            if host.hasPrefix("*.") {
                wildcard[String(host.dropFirst(2))] = certificate
            } else {
                exact[host] = certificate
            }
            bySecret[certificate.secret] = certificate
        }
        self.exact = exact
        self.wildcard = wildcard
        self.bySecret = bySecret
    }

    /// The certificate for a ClientHello's SNI name: an exact entry, then a wildcard entry for
    /// its parent domain, then the default. Case and a trailing dot do not matter.
    public func certificate(forServerName serverName: String?) -> ServerCertificate {
        guard let serverName, !serverName.isEmpty else { return defaultCertificate }
        let name = Self.normalize(serverName)
        if let certificate = exact[name] { return certificate }
        if !wildcard.isEmpty, let dot = name.firstIndex(of: "."), dot != name.startIndex,
            let certificate = wildcard[String(name[name.index(after: dot)...])]
        {
            return certificate
        }
        return defaultCertificate
    }

    /// The SNI names with their own certificate, for listings and tests.
    public var hostNames: [String] {
        (exact.keys.map { $0 } + wildcard.keys.map { "*." + $0 }).sorted()
    }

    private static func normalize(_ name: String) -> String {
        var name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }
}
