internal import Logging
internal import NIOCore
internal import NIOHTTP1

extension ChannelPipeline.SynchronousOperations {
    /// Sets up a downstream HTTP/1.1 connection of the edge proxy, front to back:
    ///
    /// 1. `ConnectionTimeoutHandler`: idle keep-alive and request-head timeouts, on raw bytes;
    /// 2. NIO's server pipeline with pipelining assistance (one request at a time, answers in
    ///    order), its decoder limited to `maxHeaderBytes`;
    /// 3. `PipelineReadAheadHandler`, just before NIO's pipeline handler, keeping the socket
    ///    readable while a response is in flight (no epoll churn per request); `ProxyHandler`
    ///    tells it when a response ends;
    /// 4. `ProxyHandler`: routing (with the scheme's redirect and HSTS rules), upstream exchange
    ///    and relaying, and the answer to a malformed request (400, or 431 for an oversized head).
    ///
    /// It does not enforce the connection limit; the server channel does, before this runs.
    func configureEdgePipeline(
        configuration: ProxyConfiguration,
        routes: RouteTableStore,
        loop: LoopState,
        accessLogger: Logger?,
        scheme: EdgeScheme = .http
    ) throws {
        let timeouts = ConnectionTimeoutHandler(
            idleTimeout: configuration.idleTimeout,
            headerTimeout: configuration.headerReadTimeout
        )
        try self.addHandler(timeouts)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = configuration.maxHeaderBytes
        limits.maxHeaderFieldSize = configuration.maxHeaderBytes
        try self.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            // ProxyHandler answers parser errors itself (see its `answer`).
            withErrorHandling: false,
            // Every response header is either parsed from an upstream by llhttp (strict: no CR, LF
            // or NUL in names or values) or written by Portico from validated configuration, so
            // NIO's per-header re-validation would check what is already known to be valid.
            withOutboundHeaderValidation: false,
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: limits
        )
        let pipelineHandler = try self.handler(type: HTTPServerPipelineHandler.self)
        let readAhead = PipelineReadAheadHandler()
        try self.addHandler(readAhead, position: .before(pipelineHandler))
        try self.addHandler(
            ProxyHandler(
                routes: routes,
                loop: loop,
                configuration: configuration,
                accessLogger: accessLogger,
                timeouts: timeouts,
                readAhead: readAhead,
                scheme: scheme
            )
        )
    }
}
