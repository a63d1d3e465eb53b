internal import Logging
internal import NIOCore
internal import NIOSSL
internal import NIOTLS
internal import PorticoRouteTable

extension ChannelPipeline.SynchronousOperations {
    /// Sets up a downstream connection of the HTTPS listener: `NIOSSLServerHandler` (the
    /// certificate chosen by SNI from the `CertificateStore`), `TLSHandshakeHandler` (handshake
    /// metrics and deadline), then an `ApplicationProtocolNegotiationHandler` that adds, once
    /// the handshake is done, the HTTP/2 edge pipeline when ALPN chose `h2` and otherwise (ALPN
    /// `http/1.1`, or none) the same HTTP/1.1 edge pipeline as plain HTTP; both with
    /// `X-Forwarded-Proto: https` and HSTS. Bytes that arrive before the choice are held by the
    /// negotiation handler and replayed into the chosen pipeline.
    func configureSecureEdgePipeline(
        context: NIOSSLContext,
        metrics: TLSMetrics,
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        accessLogger: Logger?
    ) throws {
        // Fixed names, as in `configureEdgePipeline`.
        try self.addHandler(NIOSSLServerHandler(context: context), name: "portico.tls")
        try self.addHandler(TLSHandshakeHandler(metrics: metrics, timeout: configuration.headerReadTimeout), name: "portico.tls.handshake")
        let pipeline = self
        let negotiation = ApplicationProtocolNegotiationHandler { result in
            pipeline.eventLoop.makeCompletedFuture {
                if case .negotiated("h2") = result {
                    try pipeline.configureHTTP2EdgePipeline(
                        configuration: configuration,
                        routes: routes,
                        loop: loop,
                        accessLogger: accessLogger,
                        scheme: .https
                    )
                } else {
                    try pipeline.configureEdgePipeline(
                        configuration: configuration,
                        routes: routes,
                        loop: loop,
                        accessLogger: accessLogger,
                        scheme: .https
                    )
                }
            }
        }
        try self.addHandler(negotiation, name: "portico.tls.alpn")
    }

    /// Sets up a downstream connection of the plain-HTTP listener: the HTTP/1.1 edge pipeline,
    /// or with `HTTP2Options.cleartextPriorKnowledge` an `HTTP2PrefaceSniffer` that adds the
    /// HTTP/2 edge pipeline for a connection opening with the HTTP/2 preface and the HTTP/1.1
    /// one for any other.
    func configurePlainEdgePipeline(
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        accessLogger: Logger?
    ) throws {
        guard configuration.http2.cleartextPriorKnowledge else {
            try self.configureEdgePipeline(configuration: configuration, routes: routes, loop: loop, accessLogger: accessLogger)
            return
        }
        let sniffer = HTTP2PrefaceSniffer(timeout: configuration.headerReadTimeout) { choice, pipeline in
            switch choice {
            case .http1:
                try pipeline.configureEdgePipeline(
                    configuration: configuration,
                    routes: routes,
                    loop: loop,
                    accessLogger: accessLogger
                )
            case .http2:
                try pipeline.configureHTTP2EdgePipeline(
                    configuration: configuration,
                    routes: routes,
                    loop: loop,
                    accessLogger: accessLogger,
                    scheme: .http
                )
            }
        }
        try self.addHandler(sniffer)
    }
}
