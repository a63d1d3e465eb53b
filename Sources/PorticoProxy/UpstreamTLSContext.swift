internal import NIOSSL
internal import PorticoRouteTable

/// Builds the client-side `NIOSSLContext` for a cluster's `UpstreamTLS`.
///
/// One context is built per cluster and event loop, on the cluster's first request, and reused
/// for every connection after it; a new routing table with the same settings keeps it.
enum UpstreamTLSContext {
    /// Why a cluster's TLS settings cannot be used, as a sentence for the log.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The context, or a sentence saying why the material cannot be used (the proxy then
    /// answers 502 for the cluster rather than connect unverified).
    static func make(_ tls: UpstreamTLS, version: UpstreamProtocol.Version) -> Result<NIOSSLContext, Problem> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = version == .http2 ? ["h2"] : ["http/1.1"]
        let secret = tls.secret.map { "Secret \($0)" } ?? "the CA Secret"
        switch tls.verification {
        case .none:
            configuration.certificateVerification = .none
        case .certificateAuthority(let pem):
            guard let certificates = try? NIOSSLCertificate.fromPEMBytes(pem), !certificates.isEmpty else {
                return .failure(Problem(description: "ca.crt of \(secret) holds no readable certificate"))
            }
            configuration.trustRoots = .certificates(certificates)
            configuration.certificateVerification = .fullVerification
        case .unavailable(let reason):
            return .failure(Problem(description: reason))
        }
        if let client = tls.clientCertificate {
            guard let chain = try? NIOSSLCertificate.fromPEMBytes(client.certificateChain), !chain.isEmpty,
                let key = try? NIOSSLPrivateKey(bytes: client.privateKey, format: .pem)
            else {
                return .failure(Problem(description: "the client certificate (tls.crt, tls.key) of \(secret) is unreadable"))
            }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        }
        do {
            return .success(try NIOSSLContext(configuration: configuration))
        } catch {
            return .failure(Problem(description: "the TLS settings of \(secret) are unusable: \(error)"))
        }
    }
}
