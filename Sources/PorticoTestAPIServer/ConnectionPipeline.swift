internal import NIOCore
internal import NIOHTTP1
internal import NIOHTTP2
internal import NIOSSL
internal import NIOTLS

/// Builds the pipeline of one accepted TCP connection: TLS, then HTTP/1.1, or, when ALPN picks
/// `h2`, an HTTP/2 connection whose every stream gets its own `APIRequestHandler` behind
/// `HTTP2FramePayloadToHTTP1ServerCodec`. The handler sees the same request parts either way,
/// so verbs, watches, faults, authentication and recording behave alike on both protocols.
///
/// It does not tune HTTP/2: NIO's defaults (100 concurrent streams per connection, 64 KiB
/// stream windows, its DoS heuristics) stay, which is enough for tests and stricter than
/// kube-apiserver's 1,000 streams.
enum ConnectionPipeline {
    /// The ALPN identifiers the TLS listener offers, most preferred first: `h2` then
    /// `http/1.1` as kube-apiserver does, or `http/1.1` alone to test an HTTP/1.1-only path.
    static func applicationProtocols(http2: Bool) -> [String] {
        http2 ? ["h2", "http/1.1"] : ["http/1.1"]
    }

    /// Adds TLS and the protocol handlers to `channel`, numbering the connection through
    /// `core` so every request on it records the same number.
    static func configure(_ channel: any Channel, sslContext: NIOSSLContext, core: ServerCore, http2: Bool) -> EventLoopFuture<Void> {
        let connection = core.track(channel)
        do {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let http1: NIOChannelInitializer = { channel in
            channel.eventLoop.makeCompletedFuture { try configureHTTP1(channel, core: core, connection: connection) }
        }
        guard http2 else { return http1(channel) }
        return channel.configureHTTP2SecureUpgrade(
            h2ChannelConfigurator: { channel in
                channel.eventLoop.makeCompletedFuture { try configureHTTP2(channel, core: core, connection: connection) }
            },
            http1ChannelConfigurator: http1
        )
    }

    private static func configureHTTP1(_ channel: any Channel, core: ServerCore, connection: Int) throws {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
        try pipeline.addHandler(APIRequestHandler(core: core, connection: connection))
    }

    /// One child channel per stream; closing a stream's channel resets that stream only.
    private static func configureHTTP2(_ channel: any Channel, core: ServerCore, connection: Int) throws {
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: NIOHTTP2Handler.ConnectionConfiguration(),
            streamConfiguration: NIOHTTP2Handler.StreamConfiguration()
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                let pipeline = stream.pipeline.syncOperations
                try pipeline.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try pipeline.addHandler(APIRequestHandler(core: core, connection: connection))
            }
        }
    }
}
