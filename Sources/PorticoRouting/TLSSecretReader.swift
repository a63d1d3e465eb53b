internal import Foundation
internal import PorticoModel
internal import PorticoRouteTable

/// Reads the PEM bytes of a `kubernetes.io/tls` Secret, without parsing them: what translation
/// can check without a crypto library (type, keys present, base64 that decodes, text that looks
/// like PEM). The proxy parses and verifies the certificates themselves.
enum TLSSecretReader {
    enum Outcome: Equatable {
        case material(PEMMaterial)
        /// The field and the message to report against the Secret.
        case unusable(field: String, message: String)
    }

    static let certificateKey = "tls.crt"
    static let privateKeyKey = "tls.key"

    static func read(_ secret: Secret) -> Outcome {
        if let type = secret.type, type != Secret.tlsType {
            return .unusable(field: "type", message: "is \(quoted(type)), not \(quoted(Secret.tlsType)); it holds no certificate Portico can serve")
        }
        let chain: [UInt8]
        let key: [UInt8]
        switch value(certificateKey, in: secret) {
        case .success(let bytes): chain = bytes
        case .failure(let problem): return .unusable(field: problem.field, message: problem.message)
        }
        switch value(privateKeyKey, in: secret) {
        case .success(let bytes): key = bytes
        case .failure(let problem): return .unusable(field: problem.field, message: problem.message)
        }
        return .material(PEMMaterial(certificateChain: chain, privateKey: key))
    }

    struct Problem: Error {
        let field: String
        let message: String
    }

    /// `data` (base64, as the API server stores it) wins over `stringData` (plain text, which
    /// only local mode sees), as the API server would merge them.
    static func value(_ name: String, in secret: Secret) -> Result<[UInt8], Problem> {
        if let encoded = secret.data?[name] {
            let field = "data[\(name)]"
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                return .failure(Problem(field: field, message: "is not valid base64"))
            }
            return checkPEM(Array(decoded), field: field)
        }
        if let text = secret.stringData?[name] {
            return checkPEM(Array(text.utf8), field: "stringData[\(name)]")
        }
        return .failure(Problem(field: "data", message: "has no \(quoted(name)) key"))
    }

    private static func checkPEM(_ bytes: [UInt8], field: String) -> Result<[UInt8], Problem> {
        let marker = Array("-----BEGIN ".utf8)
        let looksLikePEM = bytes.count >= marker.count
            && bytes.indices.dropLast(marker.count - 1).contains { start in
                bytes[start..<(start + marker.count)].elementsEqual(marker)
            }
        guard looksLikePEM else { return .failure(Problem(field: field, message: "is not PEM (no \"-----BEGIN\" line)")) }
        return .success(bytes)
    }
}
