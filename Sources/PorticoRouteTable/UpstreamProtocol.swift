/// How the proxy speaks to a cluster's endpoints: which HTTP version, and whether over TLS.
///
/// It lives in `Cluster`, not in `ClusterID`, so the ID stays one string to hash on the request
/// path; plain HTTP/1.1, by far the most common, is recognised without comparing anything.
public struct UpstreamProtocol: Hashable, Sendable, CustomStringConvertible {
    public enum Version: Hashable, Sendable {
        case http1
        /// HTTP/2 with prior knowledge (h2c) in cleartext, negotiated by ALPN `h2` over TLS.
        case http2
    }

    public let version: Version
    /// nil means cleartext.
    public let tls: UpstreamTLS?

    public init(version: Version, tls: UpstreamTLS? = nil) {
        self.version = version
        self.tls = tls
    }

    /// Cleartext HTTP/1.1, the default for a Service port that asks for nothing else.
    public static let http1 = UpstreamProtocol(version: .http1)
    /// Cleartext HTTP/2 with prior knowledge (`kubernetes.io/h2c`, gRPC without TLS).
    public static let h2c = UpstreamProtocol(version: .http2)

    /// Whether this is cleartext HTTP/1.1: the proxy's fast path, decided without hashing.
    public var isPlainHTTP1: Bool {
        guard case .http1 = self.version, case .none = self.tls else { return false }
        return true
    }

    /// `HTTP/1.1`, `HTTPS`, `h2c` or `h2 (TLS)`, as logs and `portico routes` show it.
    public var description: String {
        switch (self.version, self.tls) {
        case (.http1, .none): "HTTP/1.1"
        case (.http1, .some): "HTTPS"
        case (.http2, .none): "h2c"
        case (.http2, .some): "h2 (TLS)"
        }
    }
}

/// How the proxy secures its connections to a cluster: the name it sends and checks, how it
/// verifies the server, and the certificate it presents itself, if any.
public struct UpstreamTLS: Hashable, Sendable {
    public enum Verification: Hashable, Sendable {
        /// Encrypt only: any server certificate is accepted. Used when no CA Secret is named,
        /// as ingress-nginx does by default; the proxy logs a warning once per cluster.
        case none
        /// Verify the chain against these CA certificates (PEM, possibly several) and the
        /// certificate's names against `serverName`.
        case certificateAuthority(pem: [UInt8])
        /// A CA Secret was named but cannot be used. The proxy fails closed: requests answer
        /// 502 without connecting, because talking unverified to a server the user asked to
        /// verify would hide exactly the problem the CA is there to catch.
        case unavailable(reason: String)
    }

    /// Sent as SNI and checked against the server certificate: `portico.dev/proxy-ssl-name`,
    /// else the Service's DNS name `service.namespace.svc`.
    public let serverName: String
    public let verification: Verification
    /// Presented when the server asks for a client certificate (the `tls.crt`/`tls.key` of the
    /// CA Secret, as ingress-nginx's `proxy-ssl-secret` does).
    public let clientCertificate: PEMMaterial?
    /// The Secret the CA and client certificate come from, `namespace/name`, for logs.
    public let secret: String?

    public init(serverName: String, verification: Verification, clientCertificate: PEMMaterial? = nil, secret: String? = nil) {
        self.serverName = serverName
        self.verification = verification
        self.clientCertificate = clientCertificate
        self.secret = secret
    }
}
