internal import Crypto
internal import Foundation
internal import SwiftASN1
internal import X509

/// A certificate authority made per server: it signs the serving certificate (IP SAN 127.0.0.1,
/// as a cluster's API server certificate names its service IP) and client certificates whose
/// common name is the user, as kube-apiserver's `--client-ca-file` authentication reads them.
public struct ServerCertificateAuthority: Sendable {
    /// A certificate and its PKCS#8 key, both PEM.
    public struct KeyPair: Sendable {
        public let certificatePEM: String
        public let keyPEM: String
    }

    public let certificatePEM: String
    private let certificate: Certificate
    private let key: Certificate.PrivateKey

    public init(name: String = "Portico Test API Server CA") throws {
        let p256 = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(p256)
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(7 * 24 * 3600),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: key
        )
        self.certificate = certificate
        self.key = key
        self.certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A serving certificate for 127.0.0.1 and `localhost`.
    public func issueServingCertificate() throws -> KeyPair {
        try issue(
            subject: DistinguishedName { CommonName("kube-apiserver") },
            usage: .serverAuth,
            alternativeNames: [.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")]
        )
    }

    /// A client certificate for `user`, with `groups` as organizations (how Kubernetes reads
    /// group membership from a client certificate).
    public func issueClientCertificate(user: String, groups: [String] = []) throws -> KeyPair {
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        return try issue(subject: subject, usage: .clientAuth, alternativeNames: [])
    }

    private func issue(subject: DistinguishedName, usage: ExtendedKeyUsage.Usage, alternativeNames: [GeneralName]) throws -> KeyPair {
        let p256 = P256.Signing.PrivateKey()
        let leafKey = Certificate.PrivateKey(p256)
        let now = Date()
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: leafKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(24 * 3600),
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                if !alternativeNames.isEmpty {
                    SubjectAlternativeNames(alternativeNames)
                }
            },
            issuerPrivateKey: key
        )
        return KeyPair(certificatePEM: try leaf.serializeAsPEM().pemString, keyPEM: p256.pemRepresentation)
    }

    /// The common name of a DER certificate's subject: the user of a client certificate.
    static func commonName(ofDER der: [UInt8]) -> String? {
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        for attribute in certificate.subject.flatMap({ $0 }) where attribute.type == .RDNAttributeType.commonName {
            return String(describing: attribute.value)
        }
        return nil
    }
}
