internal import PorticoModel
internal import PorticoRouteTable

/// Reads the CA bundle, and the optional client certificate, of a `proxy-ssl-secret`.
///
/// The layout is ingress-nginx's: `ca.crt` holds the CA certificates to verify the upstream
/// against; `tls.crt` and `tls.key`, when both are present, are presented as a client
/// certificate. Any Secret type is accepted (CA bundles are often `Opaque`). Like
/// `TLSSecretReader`, this checks only what needs no crypto library; the proxy parses the PEM.
enum UpstreamCASecretReader {
    struct Material: Equatable {
        let certificateAuthority: [UInt8]
        let clientCertificate: PEMMaterial?
    }

    static let certificateAuthorityKey = "ca.crt"

    static func read(_ secret: Secret) -> Result<Material, TLSSecretReader.Problem> {
        let authority: [UInt8]
        switch TLSSecretReader.value(certificateAuthorityKey, in: secret) {
        case .success(let bytes): authority = bytes
        case .failure(let problem): return .failure(problem)
        }
        var client: PEMMaterial?
        if case .success(let chain) = TLSSecretReader.value(TLSSecretReader.certificateKey, in: secret),
            case .success(let key) = TLSSecretReader.value(TLSSecretReader.privateKeyKey, in: secret)
        {
            client = PEMMaterial(certificateChain: chain, privateKey: key)
        }
        return .success(Material(certificateAuthority: authority, clientCertificate: client))
    }
}
