public import Foundation
internal import Crypto
internal import _CryptoExtras
internal import SwiftASN1
internal import X509

/// Certificates for TLS tests, generated per test: a CA, leaves it signs for given names and
/// IP addresses (RSA or ECDSA keys in PKCS#1, PKCS#8 or SEC1 PEM), expired leaves, mismatched
/// keys, and client certificates as kube-apiserver's `--client-ca-file` authentication reads
/// them.
///
/// A test trusts `authority.certificatePEM` and checks which leaf a handshake presented by its
/// common name.
public struct TestCertificateAuthority: Sendable {
    public enum KeyType: Sendable {
        case ecdsaP256
        case rsa2048
    }

    public enum KeyFormat: Sendable {
        /// `PRIVATE KEY`, for either key type.
        case pkcs8
        /// `RSA PRIVATE KEY` (RSA only).
        case pkcs1
        /// `EC PRIVATE KEY` (ECDSA only), converted by the `openssl` command.
        case sec1
    }

    /// A leaf certificate and its key, PEM.
    public struct Leaf: Sendable {
        public let commonName: String
        /// The leaf followed by the CA certificate, as `tls.crt` usually holds it.
        public let chainPEM: String
        /// The leaf alone, for a server that sends no intermediate.
        public let certificatePEM: String
        public let keyPEM: String
        /// As written in the certificate (whole seconds).
        public let notValidAfter: Date
    }

    /// A client certificate and its PKCS#8 key, both PEM.
    public struct ClientCertificate: Sendable {
        public let certificatePEM: String
        public let keyPEM: String
    }

    public let certificatePEM: String
    private let certificate: Certificate
    private let key: Certificate.PrivateKey

    public init(name: String = "Portico Test CA") throws {
        let p256 = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(p256)
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        let certificate = try Self.sign(
            subject: subject,
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(30 * 24 * 3600),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuer: subject,
            issuerKey: key
        )
        self.certificate = certificate
        self.key = key
        self.certificatePEM = try certificate.serializeAsPEM().pemString
    }

    /// A server leaf for `dnsNames` and `ipAddresses` (dotted IPv4, as a cluster's API server
    /// certificate names its service IP), valid from `notValidBefore` to `notValidAfter`
    /// (default: an hour ago to a week from now).
    public func issue(
        commonName: String,
        dnsNames: [String],
        ipAddresses: [String] = [],
        keyType: KeyType = .ecdsaP256,
        keyFormat: KeyFormat = .pkcs8,
        notValidBefore: Date? = nil,
        notValidAfter: Date? = nil
    ) throws -> Leaf {
        let now = Date()
        let leafKey: Certificate.PrivateKey
        let keyPEM: String
        switch (keyType, keyFormat) {
        case (.ecdsaP256, .pkcs8):
            let p256 = P256.Signing.PrivateKey()
            (leafKey, keyPEM) = (Certificate.PrivateKey(p256), p256.pemRepresentation)
        case (.ecdsaP256, .sec1):
            let p256 = P256.Signing.PrivateKey()
            (leafKey, keyPEM) = (Certificate.PrivateKey(p256), try Self.openssl(["ec"], input: p256.pemRepresentation))
        case (.rsa2048, .pkcs1):
            let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            (leafKey, keyPEM) = (Certificate.PrivateKey(rsa), rsa.pemRepresentation)
        case (.rsa2048, .pkcs8):
            let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            (leafKey, keyPEM) = (Certificate.PrivateKey(rsa), rsa.pkcs8PEMRepresentation)
        case (.ecdsaP256, .pkcs1), (.rsa2048, .sec1):
            throw TestCertificateError.unsupportedCombination
        }
        let alternativeNames = try dnsNames.map { GeneralName.dnsName($0) } + ipAddresses.map(Self.ipAddressName)
        let leaf = try Self.sign(
            subject: try DistinguishedName { CommonName(commonName) },
            publicKey: leafKey.publicKey,
            notValidBefore: notValidBefore ?? now.addingTimeInterval(-3600),
            notValidAfter: notValidAfter ?? now.addingTimeInterval(7 * 24 * 3600),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuer: certificate.subject,
            issuerKey: key
        )
        let leafPEM = try leaf.serializeAsPEM().pemString
        return Leaf(
            commonName: commonName,
            chainPEM: leafPEM + "\n" + certificatePEM,
            certificatePEM: leafPEM,
            keyPEM: keyPEM,
            notValidAfter: leaf.notValidAfter
        )
    }

    /// A client certificate (extended key usage clientAuth, valid for a day) for `user`, with
    /// `groups` as organizations: how Kubernetes reads a client certificate's user and groups.
    public func issueClientCertificate(user: String, groups: [String] = []) throws -> ClientCertificate {
        let p256 = P256.Signing.PrivateKey()
        let now = Date()
        let client = try Self.sign(
            subject: try DistinguishedName {
                for group in groups { OrganizationName(group) }
                CommonName(user)
            },
            publicKey: Certificate.PrivateKey(p256).publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(24 * 3600),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuer: certificate.subject,
            issuerKey: key
        )
        return ClientCertificate(certificatePEM: try client.serializeAsPEM().pemString, keyPEM: p256.pemRepresentation)
    }

    /// A fresh ECDSA key in PKCS#8 PEM that belongs to no certificate.
    public static func unrelatedKeyPEM() -> String {
        P256.Signing.PrivateKey().pemRepresentation
    }

    /// The common name of the leaf in a DER certificate, for checking which one a server sent.
    public static func commonName(ofDER der: [UInt8]) -> String? {
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        for case let attribute in certificate.subject.flatMap({ $0 }) where attribute.type == .RDNAttributeType.commonName {
            return String(describing: attribute.value)
        }
        return nil
    }

    /// The one place certificates are signed: v3, a fresh serial, ECDSA with SHA-256 (the CA
    /// key is always P-256).
    private static func sign(
        subject: DistinguishedName,
        publicKey: Certificate.PublicKey,
        notValidBefore: Date,
        notValidAfter: Date,
        extensions: Certificate.Extensions,
        issuer: DistinguishedName,
        issuerKey: Certificate.PrivateKey
    ) throws -> Certificate {
        try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: issuerKey
        )
    }

    /// A dotted IPv4 address as a subject alternative name.
    private static func ipAddressName(_ address: String) throws -> GeneralName {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        let octets = parts.compactMap { UInt8($0) }
        guard parts.count == 4, octets.count == 4 else {
            throw TestCertificateError.invalidIPAddress(address)
        }
        return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets)))
    }

    private static func openssl(_ arguments: [String], input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestCertificateError.opensslFailed(arguments) }
        return String(decoding: output, as: UTF8.self)
    }
}

public enum TestCertificateError: Error {
    case unsupportedCombination
    case opensslFailed([String])
    case invalidIPAddress(String)
}
