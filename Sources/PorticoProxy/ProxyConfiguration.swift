public import NIOCore

/// Listener, limit and timeout settings of the edge proxy (HTTP/1.1 and HTTP/2).
///
/// The defaults follow what ingress-nginx and Envoy users expect from an edge proxy; each limit
/// exists so that one slow or hostile peer cannot hold unbounded memory or connections.
public struct ProxyConfiguration: Sendable {
    /// Address the listener binds to. Default `"0.0.0.0"`.
    public var bindHost: String
    /// Port the HTTP listener binds to; 0 picks an ephemeral port (tests). Default 8080.
    public var httpPort: Int
    /// Event loops (threads) serving connections when the server owns its group. Default: the
    /// number of cores.
    public var workers: Int
    /// Accepted connections above this number are closed at once. Default 10 000.
    public var maxConnections: Int
    /// Largest request head (request line plus headers) accepted; larger heads get 431 and the
    /// connection is closed. Default 32 KiB.
    public var maxHeaderBytes: Int
    /// Time a client may take to send a complete request head once it started one (slowloris
    /// protection); then 408 and close. Default 10 s.
    public var headerReadTimeout: TimeAmount
    /// Time a keep-alive connection may sit between requests before it is closed. Default 60 s.
    public var idleTimeout: TimeAmount
    /// Time allowed to open a connection to an upstream endpoint; then 504. Default 5 s.
    public var upstreamConnectTimeout: TimeAmount
    /// Time allowed between sending the whole request upstream and receiving the response head;
    /// then 504. Default 60 s.
    public var upstreamResponseTimeout: TimeAmount
    /// Idle keep-alive connections kept per upstream endpoint on each event loop. Default 256:
    /// above the requests one loop has in flight to an endpoint under load (HTTP/2 clients
    /// multiplex many), else connections churn as load ebbs and flows; ingress-nginx keeps 320
    /// per upstream and worker.
    public var upstreamMaxIdlePerEndpoint: Int
    /// Time an idle upstream connection is kept in its pool before it is closed. Default 60 s.
    public var upstreamIdleTimeout: TimeAmount
    /// Whether to log one `portico.access` line per request. Default false.
    public var accessLog: Bool
    /// On graceful shutdown, time in-flight requests get to finish before their connections
    /// are closed anyway. Default 30 s.
    public var shutdownGracePeriod: TimeAmount
    /// Time an upgraded (WebSocket) connection may pass no byte either way before both sides
    /// are closed. Default 3600 s: WebSockets idle for long stretches between messages, and
    /// nginx users raise `proxy_read_timeout` to about this much for them.
    public var upgradedIdleTimeout: TimeAmount = .seconds(3600)
    /// Port of the HTTPS listener; nil runs none (it needs a `CertificateStore`). 0 picks an
    /// ephemeral port (tests).
    public var httpsPort: Int? = nil
    /// Versions, ciphers, ALPN, resumption, HSTS and the redirect port of HTTPS.
    public var tls = TLSOptions()
    /// HTTP/2 from clients: h2c on the plain port, stream limit and flow-control windows.
    public var http2 = HTTP2Options()
    /// Whether every connection to the HTTP and HTTPS listeners starts with a PROXY protocol
    /// header (v1 or v2) from a load balancer, whose source address then stands for the
    /// client. Connections without a valid header are closed. Default false.
    public var proxyProtocol = false
    /// Time a layer-4 connection (TCP service or TLS passthrough) may pass no byte either way
    /// before both sides are closed. Default 600 s, ingress-nginx's stream `proxy_timeout`.
    public var tcpIdleTimeout: TimeAmount = .seconds(600)

    public init(
        bindHost: String = "0.0.0.0",
        httpPort: Int = 8080,
        workers: Int = System.coreCount,
        maxConnections: Int = 10_000,
        maxHeaderBytes: Int = 32 * 1024,
        headerReadTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(60),
        upstreamConnectTimeout: TimeAmount = .seconds(5),
        upstreamResponseTimeout: TimeAmount = .seconds(60),
        upstreamMaxIdlePerEndpoint: Int = 256,
        upstreamIdleTimeout: TimeAmount = .seconds(60),
        accessLog: Bool = false,
        shutdownGracePeriod: TimeAmount = .seconds(30)
    ) {
        self.bindHost = bindHost
        self.httpPort = httpPort
        self.workers = workers
        self.maxConnections = maxConnections
        self.maxHeaderBytes = maxHeaderBytes
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.upstreamConnectTimeout = upstreamConnectTimeout
        self.upstreamResponseTimeout = upstreamResponseTimeout
        self.upstreamMaxIdlePerEndpoint = upstreamMaxIdlePerEndpoint
        self.upstreamIdleTimeout = upstreamIdleTimeout
        self.accessLog = accessLog
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}
