internal import NIOCore
public import NIOSSL

/// How `HTTPTestClient` speaks TLS: the SNI name to send (nil sends none), the root to trust
/// (nil verifies nothing, so that a test can look at whatever certificate it gets), versions
/// and ALPN.
public struct TLSClientSettings: Sendable {
    public var serverName: String?
    public var trustedRootPEM: String?
    public var minimumVersion: TLSVersion?
    public var maximumVersion: TLSVersion?
    public var applicationProtocols: [String]

    public init(
        serverName: String?,
        trustedRootPEM: String? = nil,
        minimumVersion: TLSVersion? = nil,
        maximumVersion: TLSVersion? = nil,
        applicationProtocols: [String] = ["http/1.1"]
    ) {
        self.serverName = serverName
        self.trustedRootPEM = trustedRootPEM
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.applicationProtocols = applicationProtocols
    }

    func addHandler(to channel: any Channel) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let trustedRootPEM {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trustedRootPEM.utf8)))
            configuration.certificateVerification = serverName == nil ? .noHostnameVerification : .fullVerification
        } else {
            configuration.certificateVerification = .none
        }
        if let minimumVersion { configuration.minimumTLSVersion = minimumVersion }
        if let maximumVersion { configuration.maximumTLSVersion = maximumVersion }
        configuration.applicationProtocols = applicationProtocols
        let context = try NIOSSLContext(configuration: configuration)
        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
    }
}

extension HTTPTestClient {
    /// The common name of the certificate the server presented.
    public func peerCommonName() async throws -> String? {
        guard let certificate = try await self.channel.nioSSL_peerCertificate().get() else { return nil }
        return TestCertificateAuthority.commonName(ofDER: try certificate.toDERBytes())
    }
}
