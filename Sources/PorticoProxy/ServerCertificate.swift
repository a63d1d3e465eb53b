public import Foundation
internal import NIOSSL
internal import X509

/// One parsed, checked certificate chain and key, ready to hand to a handshake.
///
/// Built by `CertificateStore.compile` off the request path; a handshake only reads the
/// prepared override, so choosing a certificate costs a dictionary probe.
public final class ServerCertificate: Sendable {
    /// The Secret it came from (`namespace/name`), or `generated` for the start-up certificate.
    public let secret: String
    /// Validity of the leaf.
    public let notValidBefore: Date
    public let notValidAfter: Date
    /// The leaf's DNS subject alternative names, lower-cased, for host coverage checks.
    let dnsNames: [String]
    /// The PEM it was parsed from: an unchanged Secret is not parsed again.
    let material: PEMMaterialKey
    let chain: [NIOSSLCertificate]
    let privateKey: NIOSSLPrivateKey
    /// What the SNI callback returns for this certificate.
    let override: NIOSSLContextConfigurationOverride

    init(
        secret: String,
        notValidBefore: Date,
        notValidAfter: Date,
        dnsNames: [String],
        material: PEMMaterialKey,
        chain: [NIOSSLCertificate],
        privateKey: NIOSSLPrivateKey
    ) {
        self.secret = secret
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
        self.dnsNames = dnsNames
        self.material = material
        self.chain = chain
        self.privateKey = privateKey
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(privateKey)
        self.override = override
    }

    /// Whether the leaf names `host` (an SNI name, or `*.suffix` for a wildcard TLS host):
    /// exactly, or through a one-label wildcard SAN.
    func covers(_ host: String) -> Bool {
        if dnsNames.contains(host) { return true }
        guard !host.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
        return dnsNames.contains("*" + host[dot...])
    }
}

/// The bytes a certificate was compiled from, compared to skip re-parsing an unchanged Secret.
struct PEMMaterialKey: Hashable, Sendable {
    let certificateChain: [UInt8]
    let privateKey: [UInt8]
}
