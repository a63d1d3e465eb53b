/// Settings of the HTTPS listener that do not depend on the routing table: protocol versions,
/// ciphers, ALPN, session resumption, HSTS and the port redirects point at.
public struct TLSOptions: Sendable {
    /// The oldest TLS version accepted.
    public enum MinimumVersion: String, Sendable, CaseIterable {
        case tls12 = "1.2"
        case tls13 = "1.3"
    }

    /// Default `.tls12`: TLS 1.2 and 1.3, as ingress-nginx serves by default.
    public var minimumVersion: MinimumVersion
    /// TLS 1.2 cipher suites, colon-separated names (see `TLSCipherList`); nil keeps
    /// swift-nio-ssl's default (ECDHE with AES-GCM or ChaCha20). TLS 1.3 suites are not
    /// configurable in BoringSSL.
    public var cipherSuites: String?
    /// ALPN protocols offered, most preferred first. Default `["h2", "http/1.1"]`; a client
    /// that negotiates nothing gets HTTP/1.1 (see `configureSecureEdgePipeline`). Protocols other
    /// than these two are not served.
    public var applicationProtocols: [String]
    /// Whether a client may resume a TLS session (tickets or session IDs). Default false:
    /// every connection gets a fresh TLS context, so every handshake is a full one, as
    /// benchmarks of handshake cost need and as a restart would behave anyway.
    public var sessionResumption: Bool
    /// The `Strict-Transport-Security` sent on HTTPS responses of TLS hosts; nil sends none.
    public var hsts: HSTSPolicy?
    /// The port written into `https://` redirects; 443 is left out of the URL. Behind a Service
    /// that maps 443 to the listener's 8443 this stays 443.
    public var redirectPort: Int

    public init(
        minimumVersion: MinimumVersion = .tls12,
        cipherSuites: String? = nil,
        applicationProtocols: [String] = ["h2", "http/1.1"],
        sessionResumption: Bool = false,
        hsts: HSTSPolicy? = HSTSPolicy(),
        redirectPort: Int = 443
    ) {
        self.minimumVersion = minimumVersion
        self.cipherSuites = cipherSuites
        self.applicationProtocols = applicationProtocols
        self.sessionResumption = sessionResumption
        self.hsts = hsts
        self.redirectPort = redirectPort
    }
}

/// The parts of a `Strict-Transport-Security` header (RFC 6797).
public struct HSTSPolicy: Sendable, Equatable {
    /// Default one year, as ingress-nginx sends.
    public var maxAge: Int
    public var includeSubdomains: Bool
    public var preload: Bool

    public init(maxAge: Int = 31_536_000, includeSubdomains: Bool = false, preload: Bool = false) {
        self.maxAge = maxAge
        self.includeSubdomains = includeSubdomains
        self.preload = preload
    }

    /// `max-age=31536000; includeSubDomains; preload`, with the optional parts only when set.
    public var headerValue: String {
        var value = "max-age=\(maxAge)"
        if includeSubdomains { value += "; includeSubDomains" }
        if preload { value += "; preload" }
        return value
    }
}
