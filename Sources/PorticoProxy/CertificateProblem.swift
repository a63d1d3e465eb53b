public import Foundation

/// Why the proxy could not serve a Secret's certificate (or one of its hosts), and what it
/// serves instead. Reported to the controller as a value, which logs it like any diagnostic.
public struct CertificateProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Error, Hashable, Sendable, CustomStringConvertible {
        /// `tls.crt` is not PEM with at least one certificate that parses.
        case unreadableCertificate
        /// `tls.key` is not an RSA or ECDSA key in PKCS#1, PKCS#8 or SEC1 PEM.
        case unreadablePrivateKey
        /// `tls.key` is not the key of the leaf certificate in `tls.crt`.
        case keyMismatch
        case expired(notValidAfter: Date)
        case notYetValid(notValidBefore: Date)
        /// The leaf's subject alternative names do not include this host of a TLS section.
        case hostNotCovered(String)

        public var description: String {
            switch self {
            case .unreadableCertificate: "tls.crt holds no readable PEM certificate"
            case .unreadablePrivateKey: "tls.key holds no readable RSA or ECDSA private key (PKCS#1, PKCS#8 or SEC1 PEM)"
            case .keyMismatch: "tls.key does not match the certificate in tls.crt"
            case .expired(let date): "the certificate expired at \(Self.format(date))"
            case .notYetValid(let date): "the certificate is not valid before \(Self.format(date))"
            case .hostNotCovered(let host): "the certificate does not cover host \"\(host)\" (no matching subject alternative name)"
            }
        }

        private static func format(_ date: Date) -> String {
            date.formatted(.iso8601)
        }
    }

    /// What is served instead of the certificate that failed.
    public enum Fallback: Hashable, Sendable {
        /// The Secret's previous, good certificate (a bad update).
        case lastGood
        /// The default certificate (a bad new Secret).
        case defaultCertificate
    }

    /// `namespace/name` of the Secret.
    public let secret: String
    public let reason: Reason
    public let fallback: Fallback

    public init(secret: String, reason: Reason, fallback: Fallback) {
        self.secret = secret
        self.reason = reason
        self.fallback = fallback
    }

    /// `Secret default/web-tls: tls.key does not match the certificate in tls.crt; its last
    /// good certificate is still served`.
    public var description: String {
        let effect: String
        switch (fallback, reason) {
        case (.lastGood, .hostNotCovered): effect = "that host keeps the Secret's last good certificate"
        case (.defaultCertificate, .hostNotCovered): effect = "that host gets the default certificate"
        case (.lastGood, _): effect = "its last good certificate is still served"
        case (.defaultCertificate, _): effect = "its hosts get the default certificate"
        }
        return "Secret \(secret): \(reason); \(effect)"
    }
}
