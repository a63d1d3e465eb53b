internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOHTTP2

extension ChannelPipeline.SynchronousOperations {
    /// Sets up a downstream HTTP/2 connection, after ALPN chose `h2` or the h2c preface was
    /// seen, front to back:
    ///
    /// 0. `FlushCoalescingHandler`: the flushes of one event-loop tick (one per finished
    ///    stream) leave as one write;
    /// 1. `NIOHTTP2Handler` with its inline stream multiplexer: framing, HPACK, flow control and
    ///    swift-nio-http2's DoS protections at their defaults; it advertises the stream limit,
    ///    the initial window and the header list limit (`maxHeaderBytes`);
    /// 2. `HTTP2ConnectionManager`: closes the connection with GOAWAY after `idleTimeout`
    ///    without an open stream, and on `ChannelShouldQuiesceEvent` (graceful shutdown) sends
    ///    GOAWAY, lets open streams finish and then closes.
    ///
    /// Each stream gets its own child pipeline (see `configureHTTP2StreamPipeline`). It does not
    /// time out a slow request head: that is bounded by the stream limit, the header list
    /// limit and the connection limit instead of a per-stream timer.
    func configureHTTP2EdgePipeline(
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        accessLogger: Logger?,
        scheme: EdgeScheme
    ) throws {
        let manager = HTTP2ConnectionManager(idleTimeout: configuration.idleTimeout, timers: loop.timers)
        let boundLoop = NIOLoopBound(loop, eventLoop: self.eventLoop)
        let boundPeer = NIOLoopBound(DownstreamPeer(), eventLoop: self.eventLoop)
        let handler = NIOHTTP2Handler(
            mode: .server,
            eventLoop: self.eventLoop,
            connectionConfiguration: HTTP2EdgeSettings.connection(configuration),
            streamConfiguration: HTTP2EdgeSettings.stream(configuration.http2),
            streamDelegate: manager,
            inboundStreamInitializer: { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.configureHTTP2StreamPipeline(
                        configuration: configuration,
                        routes: routes,
                        loop: boundLoop.value,
                        peer: boundPeer.value,
                        accessLogger: accessLogger,
                        scheme: scheme
                    )
                }
            }
        )
        try self.addHandler(FlushCoalescingHandler())
        try self.addHandler(handler)
        try self.addHandler(manager)
        // The connection was active before these handlers existed (ALPN or the h2c preface
        // came first), and the manager starts its idle timer on `channelActive`.
        try self.context(handler: handler).fireChannelActive()
    }

    /// One HTTP/2 stream, front to back: `HTTP2StreamFront` (frame payloads to request parts
    /// and back; a malformed request resets the stream; an empty end right after a head leaves
    /// as one HEADERS frame) and a `ProxyHandler` that serves the stream's one request, which
    /// the front hands it directly. No pipelining or keep-alive handling: a stream carries one
    /// request.
    func configureHTTP2StreamPipeline(
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        peer: DownstreamPeer? = nil,
        accessLogger: Logger?,
        scheme: EdgeScheme
    ) throws {
        // Fixed names, as on a connection (see `configureEdgePipeline`).
        let front = HTTP2StreamFront()
        let proxy = ProxyHandler(
            routes: routes,
            loop: loop,
            configuration: configuration,
            accessLogger: accessLogger,
            timeouts: nil,
            responseFrames: front,
            peer: peer,
            scheme: scheme,
            downstream: .http2
        )
        try self.addHandler(front, name: "portico.h2.front")
        try self.addHandler(proxy, name: "portico.proxy")
        front.deliver(to: proxy)
    }
}
