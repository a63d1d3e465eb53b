/// A certificate translation wants served, as PEM bytes from one Secret, with the SNI names it
/// should answer for.
///
/// Translation cannot parse certificates (that needs a crypto library, and the table is
/// standard library only), so it hands over bytes. The proxy's `CertificateStore.compile` parses
/// and checks them and reports per-Secret failures back by `secret`.
public struct ServerCertificateSource: Hashable, Sendable {
    /// The Secret the material came from, as `namespace/name`: how diagnostics name it.
    public let secret: String
    /// SNI names this certificate serves, normalised (lower case, no trailing dot); a leading
    /// `*.` marks a one-label wildcard entry. Empty for the default certificate.
    public let hosts: [String]
    /// The PEM bytes, or nil when translation found the Secret unusable (wrong type, missing
    /// keys, undecodable data) and reported it; the proxy then keeps serving the last good
    /// certificate of this Secret if there was one.
    public let material: PEMMaterial?

    public init(secret: String, hosts: [String], material: PEMMaterial?) {
        self.secret = secret
        self.hosts = hosts
        self.material = material
    }
}

/// A certificate chain (leaf first) and its private key, both PEM text as bytes.
public struct PEMMaterial: Hashable, Sendable {
    public let certificateChain: [UInt8]
    public let privateKey: [UInt8]

    public init(certificateChain: [UInt8], privateKey: [UInt8]) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}
