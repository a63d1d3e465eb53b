import Foundation

/// The connection settings every transfer of one client shares, taken from its
/// configuration once.
struct CurlTransportSettings: Sendable {
    var certificateAuthorityPEM: Data?
    var certificateAuthoritySource: String
    var clientCertificate: KubeClientConfiguration.ClientCertificate?
    var insecureSkipTLSVerify: Bool
    var userAgent: String
    /// Who we are to the server, for 401 messages.
    var credentialDescription: String
    var connectTimeoutMilliseconds: Int
    var requestTimeoutMilliseconds: Int
    var stallTimeoutSeconds: Int
    /// Added to a watch's `timeoutSeconds` for its client-side limit, so the server always
    /// ends a healthy watch first.
    var watchTimeoutMarginSeconds: Int = 60

    init(_ configuration: KubeClientConfiguration) {
        certificateAuthorityPEM = configuration.certificateAuthorityPEM
        certificateAuthoritySource = configuration.certificateAuthoritySource
        clientCertificate = configuration.clientCertificate
        insecureSkipTLSVerify = configuration.insecureSkipTLSVerify
        userAgent = configuration.userAgent
        credentialDescription = configuration.credentialDescription
        connectTimeoutMilliseconds = Self.milliseconds(configuration.connectTimeout)
        requestTimeoutMilliseconds = Self.milliseconds(configuration.requestTimeout)
        stallTimeoutSeconds = max(1, Self.milliseconds(configuration.stallTimeout) / 1000)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
