internal import Crypto
internal import Foundation
internal import SwiftASN1
internal import X509

/// The certificate served when no `--default-ssl-certificate` is configured: generated at
/// start-up, self-signed, a P-256 key, valid for one year, with no subject alternative names
/// and a subject that says what it is, as ingress-nginx's "Kubernetes Ingress Controller Fake
/// Certificate" does. Clients will not trust it; it exists so that a handshake for an unknown
/// name completes and the client sees a clear certificate instead of an alert.
enum DefaultCertificate {
    static let commonName = "Portico default certificate"
    static let secretName = "generated"

    static func generate(now: Date) throws -> ServerCertificate {
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("Portico")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            // An hour of slack for clients whose clocks run a little behind.
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(365 * 24 * 3600),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: privateKey
        )
        let pem = try certificate.serializeAsPEM().pemString
        switch CertificateLoader.load(
            secret: secretName, certificateChain: Array(pem.utf8), privateKey: Array(key.pemRepresentation.utf8)
        ) {
        case .success(let loaded): return loaded
        case .failure(let reason): throw DefaultCertificateError(reason: reason)
        }
    }
}

/// The generated certificate did not load back: a bug, reported at start-up.
struct DefaultCertificateError: Error, CustomStringConvertible {
    let reason: CertificateProblem.Reason
    var description: String { "the generated default certificate is unusable: \(reason)" }
}
