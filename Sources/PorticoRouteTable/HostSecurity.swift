/// What a virtual host asks of the transport: whether plain-HTTP requests are redirected to
/// HTTPS and whether HTTPS responses carry HSTS.
///
/// Translation sets both from the Ingresses' TLS sections and annotations; the proxy applies
/// them with its own flags (the redirect port, the HSTS header value, `--no-hsts`), so the
/// table holds no listener details.
public struct HostSecurity: Hashable, Sendable {
    /// Plain-HTTP requests for this host get 308 to the https URL, without contacting the
    /// upstream.
    public var redirectToHTTPS: Bool
    /// HTTPS responses for this host carry `Strict-Transport-Security` (unless HSTS is off).
    public var hsts: Bool

    public init(redirectToHTTPS: Bool = false, hsts: Bool = false) {
        self.redirectToHTTPS = redirectToHTTPS
        self.hsts = hsts
    }

    /// Neither redirect nor HSTS: a host without TLS.
    public static let plain = HostSecurity()
}
