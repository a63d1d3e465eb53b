public import Foundation

/// Everything the API client needs to reach one API server: where it is, which CA to trust,
/// and who we are. Built by `KubeconfigLoader` or `InClusterConfiguration`, or by hand in tests.
///
/// The bearer token and the client certificate are independent because a kubeconfig user may
/// set both (kubectl then sends both); most set exactly one.
public struct KubeClientConfiguration: Sendable {
    /// `https://host:port`, without a trailing slash; request paths are appended to it.
    public var server: String
    /// PEM bytes of the CA bundle that signs the server's certificate. Nil trusts libcurl's
    /// system bundle.
    public var certificateAuthorityPEM: Data?
    /// Where the CA came from, for error messages: `/var/run/.../ca.crt`,
    /// `certificate-authority-data of cluster "kind" in /home/me/.kube/config`.
    public var certificateAuthoritySource: String
    public var bearerToken: BearerToken?
    public var clientCertificate: ClientCertificate?
    /// Skips certificate and host name verification. The client logs a warning at start.
    public var insecureSkipTLSVerify: Bool
    /// The namespace of the context or of the service account, if known: where a deployment's
    /// own objects (its Lease) live.
    public var namespace: String?
    /// `portico/<version>`.
    public var userAgent: String
    /// How long a TCP + TLS connect may take.
    public var connectTimeout: Duration
    /// How long a non-watch request may take in total (a large list included). A request whose
    /// body stalls below one byte per second for `stallTimeout` fails earlier.
    public var requestTimeout: Duration
    public var stallTimeout: Duration

    public init(
        server: String,
        certificateAuthorityPEM: Data? = nil,
        certificateAuthoritySource: String = "the system trust store",
        bearerToken: BearerToken? = nil,
        clientCertificate: ClientCertificate? = nil,
        insecureSkipTLSVerify: Bool = false,
        namespace: String? = nil,
        userAgent: String = "portico",
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(300),
        stallTimeout: Duration = .seconds(30)
    ) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.certificateAuthoritySource = certificateAuthoritySource
        self.bearerToken = bearerToken
        self.clientCertificate = clientCertificate
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.namespace = namespace
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.stallTimeout = stallTimeout
    }

    /// The `Authorization: Bearer` credential.
    public enum BearerToken: Sendable, Hashable {
        /// A token fixed for the life of the process (a kubeconfig `token`).
        case literal(String)
        /// A token file re-read whenever it changes, because projected service-account tokens
        /// are rotated by the kubelet (hourly by default).
        case file(path: String)
    }

    /// A client certificate and its key, PEM, presented in the TLS handshake.
    public struct ClientCertificate: Sendable, Hashable {
        public var certificatePEM: Data
        public var keyPEM: Data
        /// For error messages, as `certificateAuthoritySource`.
        public var source: String

        public init(certificatePEM: Data, keyPEM: Data, source: String) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
            self.source = source
        }
    }

    /// What identifies us to the server, for log lines and 401 messages.
    public var credentialDescription: String {
        switch (bearerToken, clientCertificate) {
        case (.literal?, _): "the bearer token from the kubeconfig"
        case (.file(let path)?, _): "the bearer token in \(path)"
        case (nil, let certificate?): "the client certificate from \(certificate.source)"
        case (nil, nil): "no credentials (anonymous)"
        }
    }
}
