/// Checks a `--ssl-ciphers` value before it reaches BoringSSL, which swift-nio-ssl hands it to
/// unchecked (an unknown name stops the process there).
///
/// Accepted: a colon-separated list of TLS 1.2 suite names, OpenSSL style
/// (`ECDHE-ECDSA-AES128-GCM-SHA256`) or IANA style (`TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`),
/// from the suites BoringSSL implements. OpenSSL's rule syntax (`HIGH:!aNULL`) is deliberately
/// not accepted: a list of names says exactly what is offered.
public enum TLSCipherList {
    /// OpenSSL name and IANA name of every TLS 1.2 suite BoringSSL serves.
    static let suites: [(openSSL: String, iana: String)] = [
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
        ("ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
        ("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        ("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
        ("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        ("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384"),
        ("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
        ("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"),
    ]

    /// The list in the OpenSSL names BoringSSL takes, or an error naming the first unknown entry.
    public static func normalize(_ list: String) throws(TLSCipherListError) -> String {
        let names = list.split(separator: ":", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: " ") }
            .filter { !$0.isEmpty }
        guard !names.isEmpty else { throw .empty }
        var result: [String] = []
        for name in names {
            let upper = name.uppercased()
            guard let suite = suites.first(where: { $0.openSSL == upper || $0.iana == upper }) else {
                throw .unknown(name)
            }
            if !result.contains(suite.openSSL) { result.append(suite.openSSL) }
        }
        return result.joined(separator: ":")
    }
}

/// A `--ssl-ciphers` value that is not a list of known TLS 1.2 suite names.
public enum TLSCipherListError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknown(String)

    public var description: String {
        switch self {
        case .empty: "the cipher list is empty"
        case .unknown(let name):
            "\"\(name)\" is not a TLS 1.2 cipher suite name Portico knows (for example ECDHE-ECDSA-AES128-GCM-SHA256 or TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
