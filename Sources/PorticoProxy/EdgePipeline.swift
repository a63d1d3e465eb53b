internal import Logging
internal import NIOCore
internal import NIOHTTP1

extension ChannelPipeline.SynchronousOperations {
    /// Sets up a downstream HTTP/1.1 connection of the edge proxy, front to back:
    ///
    /// 1. `HTTP1RequestDecoder`, Portico's own, with heads limited to `maxHeaderBytes`; it
    ///    tells the connection's idle keep-alive and request-head timeouts
    ///    (`ConnectionTimeouts`) when bytes arrive;
    /// 2. `ProxyHandler`: one request at a time, answered in order (it holds what a client
    ///    pipelines, see `PipelinedRequests`), routing (with the scheme's redirect and HSTS
    ///    rules), upstream exchange and relaying, the answer to a malformed request (400, or 431
    ///    for an oversized head), and graceful shutdown (`ChannelShouldQuiesceEvent`). Its
    ///    responses are written by its `DownstreamResponseEncoder`, which is not a handler of
    ///    the pipeline: as one it cost an extra handler to add and remove on every connection,
    ///    and a handler call on every flush and read.
    ///
    /// It does not enforce the connection limit; the server channel does, before this runs.
    func configureEdgePipeline(
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        accessLogger: Logger?,
        scheme: EdgeScheme = .http
    ) throws {
        let timeouts = ConnectionTimeouts(
            idleTimeout: configuration.idleTimeout,
            headerTimeout: configuration.headerReadTimeout,
            timers: loop.timers
        )
        let decoder = HTTP1RequestDecoder(
            maxHeadBytes: configuration.maxHeaderBytes, shelf: loop.recentRequestFields, timeouts: timeouts
        )
        let proxy = ProxyHandler(
            routes: routes,
            loop: loop,
            configuration: configuration,
            accessLogger: accessLogger,
            timeouts: timeouts,
            responseEncoder: DownstreamResponseEncoder(),
            scheme: scheme
        )
        // Each handler of a connection's pipeline gets a fixed name: without one, NIO formats
        // `handlerN` for it, about 300 instructions per handler on every new connection (and on
        // every HTTP/2 stream).
        try self.addHandler(decoder, name: "portico.http1.decoder")
        try self.addHandler(proxy, name: "portico.proxy")
        decoder.deliver(to: proxy)
    }
}
