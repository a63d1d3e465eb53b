internal import Logging
internal import NIOCore
internal import NIOSSL
internal import PorticoRouteTable

extension ChannelPipeline.SynchronousOperations {
    /// Sets up a downstream connection of the HTTPS listener: `NIOSSLServerHandler` (the
    /// certificate chosen by SNI from the `CertificateStore`), `TLSHandshakeHandler` (handshake
    /// metrics and deadline), then the same HTTP/1.1 edge pipeline as plain HTTP with
    /// `X-Forwarded-Proto: https` and HSTS.
    ///
    /// ALPN: the context offers `TLSOptions.applicationProtocols`, today only `http/1.1`, so
    /// the HTTP/1.1 pipeline is added at once. When `h2` is offered, this is where an
    /// `ApplicationProtocolNegotiationHandler` goes instead, choosing between this HTTP/1.1
    /// pipeline and an HTTP/2 one on the negotiated protocol.
    func configureSecureEdgePipeline(
        context: NIOSSLContext,
        metrics: TLSMetrics,
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        accessLogger: Logger?
    ) throws {
        try self.addHandler(NIOSSLServerHandler(context: context))
        try self.addHandler(TLSHandshakeHandler(metrics: metrics, timeout: configuration.headerReadTimeout))
        try self.configureEdgePipeline(
            configuration: configuration,
            routes: routes,
            loop: loop,
            accessLogger: accessLogger,
            scheme: .https
        )
    }

    /// The handlers that depend on the listener's scheme, added just before `ProxyHandler`.
    func addSchemeHandlers(_ scheme: EdgeScheme, configuration: ProxyConfiguration, routes: RouteTableStore) throws {
        switch scheme {
        case .http:
            try self.addHandler(HTTPSRedirectHandler(routes: routes, redirectPort: configuration.tls.redirectPort))
        case .https:
            if let policy = configuration.tls.hsts {
                try self.addHandler(HSTSHandler(routes: routes, policy: policy))
            }
        }
    }
}
