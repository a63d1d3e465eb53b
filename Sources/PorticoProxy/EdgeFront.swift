internal import NIOCore
internal import PorticoRouteTable

/// What a downstream connection of the HTTP or HTTPS listener passes through before its
/// listener's own pipeline: the PROXY protocol header when `proxyProtocol` is on, then, on
/// HTTPS while the table has passthrough hosts, the ClientHello check that may hand the
/// connection to a TCP relay instead of TLS.
///
/// Each step adds the next only when it is done, so the listener's handlers are added after
/// the client's address is known and never see the header or (for passthrough) the raw hello.
/// With neither feature in use the listener's pipeline is added at once, as before.
enum EdgeFront {
    /// - Parameters:
    ///   - passthroughRoutes: the routes whose passthrough hosts apply; nil on the plain
    ///     listener, where there is no TLS to pass through.
    ///   - pipeline: adds the listener's own handlers.
    static func configure(
        channel: any Channel,
        configuration: ProxyConfiguration,
        loop: LoopState,
        passthroughRoutes: RouteTableStore?,
        pipeline: @escaping (any Channel) throws -> Void
    ) throws {
        let afterHeader: (any Channel) throws -> Void
        if let routes = passthroughRoutes {
            let forward = TCPForwardHandler.Settings(
                connectTimeout: configuration.upstreamConnectTimeout, idleTimeout: configuration.tcpIdleTimeout
            )
            afterHeader = { channel in
                guard routes.current.hasPassthroughHosts else { return try pipeline(channel) }
                try channel.pipeline.syncOperations.addHandler(
                    TLSPassthroughHandler(
                        routes: routes, loop: loop, forward: forward, timeout: configuration.headerReadTimeout, terminate: pipeline
                    )
                )
            }
        } else {
            afterHeader = pipeline
        }
        guard configuration.proxyProtocol else { return try afterHeader(channel) }
        try channel.pipeline.syncOperations.addHandler(
            ProxyProtocolHandler(timeout: configuration.headerReadTimeout) { channel, header in
                if let source = header.sourceAddress { loop.recordProxiedClient(source, for: channel) }
                try afterHeader(channel)
            }
        )
    }
}
