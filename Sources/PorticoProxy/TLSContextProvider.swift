internal import NIOCore
internal import NIOSSL

/// Makes the `NIOSSLContext` of the HTTPS listener, whose `sslContextCallback` picks each
/// handshake's certificate from the `CertificateStore` by SNI name.
///
/// With session resumption off (the default) every connection gets its own context: BoringSSL
/// keeps its session cache and ticket keys per context, so a ticket or session ID from an
/// earlier connection never resumes. A context costs tens of microseconds, small next to the
/// full handshake it forces. With resumption on, one context serves every connection.
struct TLSContextProvider: Sendable {
    private let configuration: TLSConfiguration
    private let shared: NIOSSLContext?

    init(options: TLSOptions, certificates: CertificateStore) throws {
        let initial = certificates.current.defaultCertificate
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: initial.chain.map { .certificate($0) },
            privateKey: .privateKey(initial.privateKey)
        )
        switch options.minimumVersion {
        case .tls12: configuration.minimumTLSVersion = .tlsv12
        case .tls13: configuration.minimumTLSVersion = .tlsv13
        }
        if let ciphers = options.cipherSuites { configuration.cipherSuites = try TLSCipherList.normalize(ciphers) }
        configuration.applicationProtocols = options.applicationProtocols
        configuration.sslContextCallback = { values, promise in
            // Runs on the connection's event loop during the ClientHello: one atomic load and
            // a dictionary probe.
            promise.succeed(certificates.current.certificate(forServerName: values.serverHostname).override)
        }
        self.configuration = configuration
        // Built once even when not shared, so that a bad cipher list fails at start-up.
        let context = try NIOSSLContext(configuration: configuration)
        self.shared = options.sessionResumption ? context : nil
    }

    /// The context for a new connection.
    func context() throws -> NIOSSLContext {
        if let shared { return shared }
        return try NIOSSLContext(configuration: self.configuration)
    }
}
