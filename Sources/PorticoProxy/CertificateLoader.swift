internal import Foundation
internal import NIOSSL
internal import SwiftASN1
internal import X509

/// Parses and checks PEM material into a `ServerCertificate`: chain and key readable, key
/// matching the leaf. Validity dates and host coverage are checked by the caller, which knows
/// the clock and the hosts.
enum CertificateLoader {
    static func load(secret: String, certificateChain: [UInt8], privateKey: [UInt8]) -> Result<ServerCertificate, CertificateProblem.Reason> {
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(certificateChain), let leafCertificate = chain.first,
            let leafDER = try? leafCertificate.toDERBytes(), let leaf = try? Certificate(derEncoded: leafDER)
        else {
            return .failure(.unreadableCertificate)
        }
        guard let keyDocument = Self.privateKeyDocument(privateKey),
            let key = try? Certificate.PrivateKey(pemDocument: keyDocument)
        else {
            return .failure(.unreadablePrivateKey)
        }
        guard key.publicKey == leaf.publicKey else { return .failure(.keyMismatch) }
        guard let sslKey = try? NIOSSLPrivateKey(bytes: Array(keyDocument.pemString.utf8), format: .pem) else {
            return .failure(.unreadablePrivateKey)
        }
        var dnsNames: [String] = []
        if let names = try? leaf.extensions.subjectAlternativeNames {
            for case .dnsName(let name) in names { dnsNames.append(name.lowercased()) }
        }
        return .success(ServerCertificate(
            secret: secret,
            notValidBefore: leaf.notValidBefore,
            notValidAfter: leaf.notValidAfter,
            dnsNames: dnsNames,
            material: PEMMaterialKey(certificateChain: certificateChain, privateKey: privateKey),
            chain: chain,
            privateKey: sslKey
        ))
    }

    /// The first PEM block that is a private key: `openssl ecparam -genkey` writes an
    /// `EC PARAMETERS` block before it.
    private static func privateKeyDocument(_ bytes: [UInt8]) -> PEMDocument? {
        guard let text = String(validating: bytes, as: UTF8.self),
            let documents = try? PEMDocument.parseMultiple(pemString: text)
        else { return nil }
        return documents.first { $0.discriminator.hasSuffix("PRIVATE KEY") }
    }
}
