internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import PorticoRouteTable

/// Routes each request and relays it to an upstream endpoint and the response back, streaming
/// both bodies with backpressure: downstream reads stop while the upstream connection is not
/// ready or not writable, and upstream reads stop while the downstream channel is not writable.
///
/// On HTTP/1.1 it serves a connection's requests one at a time and in order: what a client
/// pipelines behind a request whose response is still under way waits in `pipelined` (see
/// `PipelinedRequests`), and reads go on until that holds too much. On HTTP/2 there is one
/// instance per stream, after `HTTP2StreamFront`, and a stream carries one request.
/// It answers itself when no route matches (404), the cluster has no endpoints (503), or the
/// upstream fails before its response head (502/504); a gRPC request gets those answers as
/// gRPC statuses (see `GRPCStatus`). After a response head has gone out an upstream failure
/// can only close the downstream connection (or reset the stream).
///
/// The listener's scheme rules live here too, decided from the virtual host that routing looks
/// up anyway: on plain HTTP a host that asks for HTTPS is answered with a redirect
/// (`HTTPSRedirect`); on TLS a host that asks for HSTS gets `Strict-Transport-Security` on its
/// responses, unless the upstream sent one. Separate handlers would each unwrap every request
/// part and look the host up again.
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for a request head.
        case idle
        /// HTTP/2: a head without `content-length` whose stream did not end with it, of a method
        /// that usually has no body (GET, HEAD, DELETE). Whether a body follows decides the
        /// upstream framing; the next part or the end of this read cycle tells.
        case awaitingBodyFraming(HTTPRequestHead)
        /// Answered (locally, or by an upstream that finished before the client did): the rest
        /// of the request body is read and dropped until its end, then the next request.
        case discardingRequestBody(keepAlive: Bool)
        case proxying(Exchange)
        /// Switched to a byte relay after a 101; this handler is leaving the pipeline.
        case upgraded
        case closed
    }

    private let routes: RouteTableStore
    private let loop: LoopState
    private let configuration: ProxyConfiguration
    private let accessLogger: Logger?
    private let scheme: EdgeScheme
    private let downstream: DownstreamProtocol
    /// `Strict-Transport-Security` for hosts that ask for it; nil on plain HTTP or with HSTS off.
    private let hstsField: HTTPHeaders?
    /// Whether the response being served gets `hstsField`.
    private var addsHSTS = false
    /// Whether the request being served is a gRPC call, so local errors are gRPC statuses.
    private var grpcRequest = false
    /// The `grpc-status` of a gRPC response head (a trailers-only answer), for the access log.
    private var grpcStatusInHead: String?
    /// Told when a head arrives and a response completes (see `ConnectionTimeouts`).
    private let timeouts: ConnectionTimeouts?
    /// HTTP/1.1: requests received behind the one being answered.
    private var pipelined = PipelinedRequests()
    /// HTTP/1.1: the server is shutting down (`ChannelShouldQuiesceEvent`); the connection
    /// closes after the response under way, which says `Connection: close`.
    private var quiescing = false
    /// HTTP/1: writes the responses (not a handler of the pipeline), told each request's
    /// method so that a response to HEAD goes out without a body (see
    /// `DownstreamResponseEncoder`).
    private let responseEncoder: DownstreamResponseEncoder?
    /// HTTP/2: where response payloads go, past NIO's codec (see `HTTP2ResponseFrames`).
    private let responseFrames: HTTP2StreamFront?
    /// HTTP/2: the connection's addresses, shared by its streams.
    private let peer: DownstreamPeer?
    private var state: State = .idle
    private var context: ChannelHandlerContext?
    private var clientAddress: String?
    private var listenerPort = ""
    private var readPending = false
    /// The upstream response timeout of the current exchange, armed when its request end has
    /// been sent and cleared when the response head arrives; made on first use, in the loop's
    /// timer queue.
    private var responseTimer: LoopTimer?

    init(
        routes: RouteTableStore,
        loop: LoopState,
        configuration: ProxyConfiguration,
        accessLogger: Logger?,
        timeouts: ConnectionTimeouts?,
        responseEncoder: DownstreamResponseEncoder? = nil,
        responseFrames: HTTP2StreamFront? = nil,
        peer: DownstreamPeer? = nil,
        scheme: EdgeScheme = .http,
        downstream: DownstreamProtocol = .http1
    ) {
        self.timeouts = timeouts
        self.responseEncoder = responseEncoder
        self.responseFrames = responseFrames
        self.peer = peer
        self.scheme = scheme
        self.downstream = downstream
        self.routes = routes
        self.loop = loop
        self.configuration = configuration
        self.accessLogger = accessLogger
        self.hstsField = scheme == .https ? loop.hstsField : nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let addresses =
            self.peer?.addresses(of: context.channel, loop: self.loop) ?? DownstreamPeer.resolve(context.channel, loop: self.loop)
        (self.clientAddress, self.listenerPort) = addresses
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.responseTimer?.cancel()
        self.context = nil
    }

    // MARK: Downstream events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.receive(self.unwrapInboundIn(data), context: context)
    }

    /// A request part from `HTTP1RequestDecoder` directly, past the pipeline: no `NIOAny` wrap
    /// and cast back, and a head that arrives as the only reference to its header list
    /// becomes the upstream head without a copy (see `startRequest`).
    func received(_ part: consuming HTTPServerRequestPart) {
        guard let context = self.context else { return }
        self.receive(part, context: context)
    }

    private func receive(_ part: consuming HTTPServerRequestPart, context: ChannelHandlerContext) {
        if self.downstream == .http1, self.mustWait(part) {
            // While shutting down nothing more is served: the connection closes after the
            // response under way.
            if !self.quiescing { self.pipelined.append(.part(part)) }
            return
        }
        self.handle(part, context: context)
    }

    /// One request part, in its turn.
    private func handle(_ part: consuming HTTPServerRequestPart, context: ChannelHandlerContext) {
        if case .idle = self.state, case .head = part {
            // The head is moved out of the part, not copied (see `startRequest`).
            guard case .head(let head) = consume part else { return }
            self.startHead(head, context: context)
            return
        }
        switch (self.state, part) {
        case (.idle, .head(let head)):
            self.startHead(head, context: context)
        case (.awaitingBodyFraming(let head), _):
            if case .end = part {
                self.startRequest(head, context: context)
            } else {
                self.startRequest(Self.chunked(head), context: context)
            }
            self.handle(part, context: context)
        case (.discardingRequestBody(let keepAlive), .end):
            self.state = .idle
            self.timeouts?.requestPhase(.responseCompleted)
            if !keepAlive || self.quiescing { self.closeDownstream(context: context) }
        case (.discardingRequestBody, _):
            ()
        case (.proxying(let exchange), .body), (.proxying(let exchange), .end):
            if case .end = part { exchange.requestEndReceived = true }
            if let connection = exchange.connection {
                self.forward(part, on: connection, exchange: exchange)
            } else {
                exchange.pending.append(part)
            }
        case (.closed, _), (.upgraded, _):
            ()
        case (.idle, .body), (.idle, .end), (.proxying, .head):
            // Parts come in order from the decoder and a later request waits in `pipelined`,
            // so this means the decoder and this handler disagree; the connection cannot be
            // trusted.
            self.closeDownstream(context: context)
        }
    }

    /// A request head, received while idle.
    private func startHead(_ head: consuming HTTPRequestHead, context: ChannelHandlerContext) {
        self.timeouts?.requestPhase(.headReceived)
        self.responseEncoder?.answering(head.method)
        self.grpcRequest = GRPCStatus.isGRPC(head)
        self.grpcStatusInHead = nil
        self.loop.metrics.recordDownstreamRequest(self.downstream)
        if self.downstream == .http2, Self.bodyFramingUnknown(head) {
            self.state = .awaitingBodyFraming(head)
            return
        }
        self.startRequest(head, context: context)
    }

    /// Whether `part` has to wait its turn: it starts a request while one is being answered
    /// (parts arrive in order, so that one has been received whole), or others already wait.
    private func mustWait(_ part: HTTPServerRequestPart) -> Bool {
        if !self.pipelined.isEmpty { return true }
        guard case .head = part, case .proxying = self.state else { return false }
        return true
    }

    /// The response under way has ended and the state says what comes next: hands the
    /// requests that waited to `handle`, in order, until one of them is being answered in turn.
    private func deliverPipelined(context: ChannelHandlerContext) {
        while !self.pipelined.isEmpty {
            guard case .idle = self.state else {
                // A request from the queue is being answered: its body and end follow it now;
                // the next request, or the parse error standing for one, waits its turn.
                guard !self.isClosing, self.pipelined.continuesARequest,
                    case .part(let part)? = self.pipelined.popFirst()
                else { break }
                self.handle(part, context: context)
                continue
            }
            switch self.pipelined.popFirst() {
            case .part(let part)?:
                self.handle(part, context: context)
            case .parserError(let error)?:
                self.answer(error, context: context)
                self.closeDownstream(context: context)
            case nil:
                break
            }
        }
        // What `handle` forwarded upstream waits for a flush, which for parts read from the
        // socket comes at the end of the read cycle (`channelReadComplete`).
        if case .proxying(let exchange) = self.state, let connection = exchange.connection {
            connection.flush()
        }
        self.resumeReadsIfPossible()
    }

    private var isClosing: Bool {
        switch self.state {
        case .closed, .upgraded: return true
        default: return false
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .awaitingBodyFraming(let head) = self.state {
            // The stream stays open past this read: a streaming body may follow.
            self.startRequest(Self.chunked(head), context: context)
        }
        if case .proxying(let exchange) = self.state, let connection = exchange.connection {
            connection.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .proxying(let exchange) = self.state {
            exchange.connection?.resumeReading()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .proxying(let exchange) = self.state {
            // The client went away mid-exchange: the upstream connection is mid-message too.
            if let connection = exchange.connection {
                connection.delegate = nil
                connection.close()
            }
            self.record(exchange, status: exchange.responseHeadSent ? exchange.status : .init(statusCode: 499))
        }
        self.responseTimer?.cancel()
        self.state = .closed
        self.pipelined.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTP1ParseError, self.downstream == .http1 {
            if case .proxying(let exchange) = self.state, exchange.requestEndReceived || !self.pipelined.isEmpty {
                // The error is in a later request: it is answered in its turn, after the
                // response under way (unless the connection is closing after that anyway).
                if !self.quiescing { self.pipelined.append(.parserError(parserError)) }
                return
            }
            self.answer(parserError, context: context)
        }
        self.closeDownstream(context: context)
    }

    /// HTTP/1.1 graceful shutdown: an idle connection closes now, a busy one after the response
    /// under way, and requests pipelined behind it are dropped (the client sees the close and
    /// may retry them elsewhere), as NIO's pipeline handler did.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard self.downstream == .http1, event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        self.quiescing = true
        self.pipelined.removeAll()
        if case .idle = self.state { self.closeDownstream(context: context) }
    }

    /// Answers a malformed request (HTTP/1) with the status `HTTP1RequestDecoder` gave its
    /// error (431 for a head over `maxHeaderBytes`, 501 for a transfer coding other than
    /// chunked, 505 for an HTTP version other than 1.x, 400 for the rest); always with `Connection: close`, and only when no response is
    /// under way (a second head in the middle of one would corrupt it) or already sent for the
    /// request the error is in (its body, being dropped). The connection closes after any
    /// parser error; one in a pipelined request waits in `pipelined` until the response before
    /// it has ended.
    ///
    /// This is done here rather than by NIO's `HTTPServerProtocolErrorHandler`, which would
    /// have to unwrap every response part it passes on to know whether one is under way (a
    /// runtime cast each, three per response); this handler knows it from its own state.
    private func answer(_ error: HTTP1ParseError, context: ChannelHandlerContext) {
        // A request cut short by the connection's end is no one's to answer.
        guard context.channel.isActive else { return }
        switch self.state {
        case .proxying(let exchange) where exchange.responseHeadSent:
            return
        case .discardingRequestBody:
            // The request has its answer; a second would pass for the next request's.
            return
        default:
            break
        }
        let status = error.status
        let (head, body) = LocalResponse.make(status, version: .http1_1, close: true, allocator: context.channel.allocator)
        self.recordMalformed(status: status, bytesSent: body.readableBytes)
        self.send(.head(head), context: context)
        self.send(.body(.byteBuffer(body)), context: context)
        self.sendLastAndClose(.end(nil), context: context)
    }

    func read(context: ChannelHandlerContext) {
        if self.shouldHoldReads {
            self.readPending = true
        } else {
            context.read()
        }
    }

    /// An HTTP/2 request head that says nothing about a body: NIO's codec adds
    /// `content-length: 0` or `transfer-encoding: chunked` for other methods, but not for GET,
    /// HEAD, DELETE, CONNECT and TRACE.
    private static func bodyFramingUnknown(_ head: HTTPRequestHead) -> Bool {
        !head.headers.contains(name: "content-length") && !head.headers.contains(name: "transfer-encoding")
    }

    /// `head` with a chunked body: an HTTP/1.1 upstream needs framing for a body of unknown
    /// length, and chunked framing also carries request trailers.
    private static func chunked(_ head: HTTPRequestHead) -> HTTPRequestHead {
        var head = head
        head.headers.add(name: "transfer-encoding", value: "chunked")
        return head
    }

    /// Whether the connection survives this request: always on HTTP/2, where a request is a
    /// stream and the connection's life is not the request's business.
    private func isKeepAlive(_ head: HTTPRequestHead) -> Bool {
        self.downstream == .http2 || (HTTP1KeepAlive.isKeepAlive(head.headers, version: head.version) && !self.quiescing)
    }

    private var shouldHoldReads: Bool {
        if self.pipelined.isFull { return true }
        guard case .proxying(let exchange) = self.state, !exchange.requestEndReceived else { return false }
        guard let connection = exchange.connection else { return true }
        return !connection.isWritable
    }

    private func resumeReadsIfPossible() {
        guard self.readPending, !self.shouldHoldReads, let context = self.context else { return }
        self.readPending = false
        context.read()
    }

    // MARK: Routing

    private func startRequest(_ head: consuming HTTPRequestHead, context: ChannelHandlerContext) {
        let start = NIODeadline.now()
        let table = self.routes.current
        let target = RequestTarget(head.uri)
        let hostValue = target.authority ?? head.headers.first(name: "host").map { Substring($0) } ?? ""
        let virtualHost = table.virtualHost(for: hostValue)
        switch self.scheme {
        case .http:
            if table.redirectsToHTTPS, virtualHost?.security.redirectToHTTPS == true,
                let location = HTTPSRedirect.location(
                    hostValue: hostValue,
                    target: target,
                    port: self.configuration.tls.redirectPort
                )
            {
                let source = table.route(in: virtualHost, path: target.path)?.source ?? ProxyMetrics.unrouted
                self.redirect(head, to: location, source: source, start: start, context: context)
                return
            }
        case .https:
            self.addsHSTS = self.hstsField != nil && virtualHost?.security.hsts == true
        }
        guard let route = table.route(in: virtualHost, path: target.path) else {
            self.answerLocally(.noRoute, head: head, source: ProxyMetrics.unrouted, start: start, context: context)
            return
        }
        guard case .cluster(let clusterID) = route.backend,
            let backend = table.backend(for: clusterID), backend.cluster.serviceExists,
            let endpoint = self.loop.pickEndpoint(clusterID, from: backend.endpoints)
        else {
            self.loop.metrics.recordUpstreamError(.noEndpoints)
            self.answerLocally(.noEndpoints, head: head, source: route.source, start: start, context: context)
            return
        }

        let downstream = Exchange.Downstream(head)
        // Moved: when the decoder handed the head over as its only reference, the header
        // list is edited in place (`X-Forwarded-*` appended) instead of copied first.
        var upstreamHead = consume head
        if let authority = target.authority {
            upstreamHead.uri = String(target.path)
            upstreamHead.headers.replaceOrAdd(name: "host", value: String(authority))
        }
        let facts = HeaderRewriter.rewriteRequest(
            &upstreamHead,
            clientAddress: self.clientAddress,
            listenerPort: self.listenerPort,
            scheme: self.scheme.name,
            collectingIn: &self.loop.requestFieldsToAdd
        )
        let exchange = Exchange(
            table: table,
            route: route,
            cluster: backend.cluster,
            endpoint: endpoint,
            upstreamHead: upstreamHead,
            facts: facts,
            downstream: downstream,
            host: String(hostValue),
            start: start
        )
        self.state = .proxying(exchange)
        if facts.upgrade == nil, let connection = self.loop.pool.takeIdle(endpoint, cluster: backend.cluster) {
            exchange.connectionWasReused = true
            // Within the handling of a request part: the flush comes once, after the rest of
            // the read (`channelReadComplete`, or the end of `deliverPipelined`).
            self.connected(connection, exchange: exchange, flush: false)
        } else {
            self.connect(exchange)
        }
    }

    private func connect(_ exchange: Exchange) {
        // The callback holds the handler until the connection attempt ends (bounded by the
        // connect timeout); a weak reference would put every handler's reference counts in a
        // side table, which makes each retain and release of it several times dearer.
        self.loop.pool.connect(exchange.endpoint, cluster: exchange.cluster, forUpgrade: exchange.facts.upgrade != nil) {
            result in
            guard case .proxying(let current) = self.state, current === exchange else {
                // The exchange ended (client gone) while connecting: nothing was written on the
                // new connection, so it is clean enough to close without further thought.
                if case .success(let connection) = result { connection.close() }
                return
            }
            switch result {
            case .success(let connection):
                // A stream on a shared HTTP/2 connection can meet the same stale race.
                exchange.connectionWasReused = connection.reusedTransport
                self.connected(connection, exchange: exchange, flush: true)
            case .failure(let error):
                self.fail(exchange, error)
            }
        }
    }

    /// Starts the exchange on `connection`: writes what was received of the request, and
    /// flushes it unless the caller flushes after it (a flush that finds nothing new to write
    /// still costs a pass down the pipeline).
    private func connected(_ connection: UpstreamConnection, exchange: Exchange, flush: Bool) {
        guard let context = self.context else {
            self.loop.pool.release(connection)
            return
        }
        connection.delegate = self
        exchange.connection = connection
        connection.write(.head(exchange.upstreamHead), knownFraming: exchange.facts.framing)
        if exchange.facts.expectsContinue, exchange.downstreamVersion.major >= 2 || exchange.downstreamVersion.minor >= 1,
            !exchange.requestEndReceived,
            !exchange.retried
        {
            self.send(.head(HTTPResponseHead(version: exchange.downstreamVersion, status: .continue)), context: context)
            self.flushDownstream(context)
        }
        while !exchange.pending.isEmpty {
            self.forward(exchange.pending.removeFirst(), on: connection, exchange: exchange, flush: false)
        }
        if flush { connection.flush() }
        self.resumeReadsIfPossible()
    }

    private func forward(
        _ part: HTTPServerRequestPart,
        on connection: UpstreamConnection,
        exchange: Exchange,
        flush: Bool = false
    ) {
        switch part {
        case .head:
            return
        case .body(let buffer):
            exchange.bodySent = true
            connection.write(.body(.byteBuffer(buffer)))
        case .end(let trailers):
            connection.write(.end(exchange.facts.isChunked ? trailers : nil))
            exchange.requestEndSent = true
            self.armResponseTimer(exchange)
        }
        if flush { connection.flush() }
    }

    private func armResponseTimer(_ exchange: Exchange) {
        guard !exchange.responseHeadSent, let context = self.context else { return }
        let timer =
            self.responseTimer
            // Unowned: `handlerRemoved` cancels the timer, after which it never fires.
            ?? self.loop.timers.makeTimer { [unowned self] in self.responseTimedOut() }
        self.responseTimer = timer
        timer.set(context.eventLoop.now + self.configuration.upstreamResponseTimeout)
    }

    private func responseTimedOut() {
        guard case .proxying(let exchange) = self.state, !exchange.responseHeadSent else { return }
        self.dropConnection(exchange)
        self.fail(exchange, .responseTimeout(exchange.endpoint))
    }

    private func dropConnection(_ exchange: Exchange) {
        self.responseTimer?.clear()
        if let connection = exchange.connection {
            connection.delegate = nil
            connection.close()
            exchange.connection = nil
        }
    }

    // MARK: Answers

    /// Ends an exchange that failed before any response byte went downstream with a local
    /// error response, or closes the connection when a response had already started.
    private func fail(_ exchange: Exchange, _ error: ProxyError) {
        guard let context = self.context else { return }
        if let reason = error.metricsReason { self.loop.metrics.recordUpstreamError(reason) }
        self.dropConnection(exchange)
        guard !exchange.responseHeadSent else {
            self.record(exchange, status: exchange.status)
            self.state = .closed
            context.close(promise: nil)
            return
        }
        // The rest of an unfinished request body cannot be relayed anywhere; closing after
        // the answer is simpler and safer than draining it.
        let keepAlive = exchange.downstreamKeepAlive && exchange.requestEndReceived && !self.quiescing
        exchange.status = error.status
        self.record(exchange, status: error.status, grpcStatus: self.grpcRequest ? String(GRPCStatus(error).code) : nil)
        self.state = keepAlive ? .idle : .closed
        self.writeLocal(error, version: exchange.downstreamVersion, keepAlive: keepAlive, requestComplete: true, context: context)
        if keepAlive {
            self.deliverPipelined(context: context)
        } else {
            self.pipelined.removeAll()
            self.resumeReadsIfPossible()
        }
    }

    private func answerLocally(
        _ error: ProxyError,
        head: HTTPRequestHead,
        source: RouteSource,
        start: NIODeadline,
        context: ChannelHandlerContext
    ) {
        let keepAlive = self.isKeepAlive(head)
        self.state = .discardingRequestBody(keepAlive: keepAlive)
        self.recordLocal(
            head: head, source: source, status: error.status, start: start,
            grpcStatus: self.grpcRequest ? String(GRPCStatus(error).code) : nil
        )
        self.writeLocal(error, version: head.version, keepAlive: keepAlive, requestComplete: false, context: context)
    }

    /// Writes Portico's own answer for `error`: an HTTP error page, or for a gRPC call a gRPC
    /// trailers-only response carrying the mapped status. `requestComplete`: the request's end
    /// has been received (else its body is dropped as it arrives, see `discardingRequestBody`).
    private func writeLocal(
        _ error: ProxyError,
        version: HTTPVersion,
        keepAlive: Bool,
        requestComplete: Bool,
        context: ChannelHandlerContext
    ) {
        // HTTP/2 has no `Connection` header: a stream that must end early is reset instead.
        let close = !keepAlive && self.downstream == .http1
        self.timeouts?.requestPhase(requestComplete ? .responseCompleted : .discardingBody)
        if self.grpcRequest {
            var head = LocalResponse.grpc(GRPCStatus(error), version: version, close: close)
            self.addHSTSIfDue(&head)
            self.send(.head(head), context: context)
        } else {
            var (head, body) = LocalResponse.make(error.status, version: version, close: close, allocator: context.channel.allocator)
            self.addHSTSIfDue(&head)
            self.send(.head(head), context: context)
            self.send(.body(.byteBuffer(body)), context: context)
        }
        self.writeEnd(closeAfter: !keepAlive, context: context)
    }

    /// Answers a plain-HTTP request for a host that asks for HTTPS with a 308 to `location`,
    /// dropping its body. An HTTP/1.0 client's connection closes after it: its keep-alive needs
    /// its own header dance, and a redirect is rare enough not to bother.
    private func redirect(
        _ head: HTTPRequestHead,
        to location: String,
        source: RouteSource,
        start: NIODeadline,
        context: ChannelHandlerContext
    ) {
        let keepAlive =
            self.downstream == .http2
            || (HTTP1KeepAlive.isKeepAlive(head.headers, version: head.version) && head.version.minor >= 1 && !self.quiescing)
        self.state = .discardingRequestBody(keepAlive: keepAlive)
        self.recordLocal(head: head, source: source, status: .permanentRedirect, start: start, grpcStatus: nil)
        self.timeouts?.requestPhase(.discardingBody)
        let (responseHead, body) = HTTPSRedirect.response(
            to: location,
            version: head.version,
            close: !keepAlive && self.downstream == .http1,
            allocator: context.channel.allocator
        )
        self.send(.head(responseHead), context: context)
        self.send(.body(.byteBuffer(body)), context: context)
        self.writeEnd(closeAfter: !keepAlive, context: context)
    }

    /// Adds `Strict-Transport-Security` to a final response head when the request's host asks
    /// for it and the head has none, once per request.
    private func addHSTSIfDue(_ head: inout HTTPResponseHead) {
        guard self.addsHSTS, let field = self.hstsField else { return }
        self.addsHSTS = false
        if !head.headers.contains(name: "strict-transport-security") {
            head.headers.add(contentsOf: field)
        }
    }

    /// Writes the response end (with the upstream's trailers, if any); closes once it is on
    /// the wire when the connection (on HTTP/2: the stream) is done. The HTTP/1.1 encoder writes
    /// trailers only for a chunked response and drops them otherwise, as it must.
    private func writeEnd(trailers: HTTPHeaders? = nil, closeAfter: Bool, context: ChannelHandlerContext) {
        if closeAfter {
            self.sendLastAndClose(.end(trailers), context: context)
        } else {
            self.send(.end(trailers), context: context)
            self.flushDownstream(context)
        }
    }

    /// Writes a response part: on HTTP/1 through the encoder (see
    /// `DownstreamResponseEncoder.write(_:from:promise:)`), on HTTP/2 as a frame payload straight to
    /// the stream's first handler (see `HTTP2ResponseFrames`), else through the pipeline.
    private func send(
        _ part: HTTPServerResponsePart,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>? = nil,
        knownFraming: HTTP1BodyFraming.KnownFields? = nil
    ) {
        if let encoder = self.responseEncoder {
            encoder.write(part, from: context, promise: promise, knownFraming: knownFraming)
        } else if let frames = self.responseFrames {
            frames.write(HTTP2ResponseFrames.payload(for: part, allocator: context.channel.allocator), promise: promise)
        } else {
            context.write(self.wrapOutboundOut(part), promise: promise)
        }
    }

    /// Flushes what was written to the client, with the response head the encoder may hold
    /// back for the body part that would follow it (see `DownstreamResponseEncoder`).
    private func flushDownstream(_ context: ChannelHandlerContext) {
        self.responseEncoder?.writeHeldHead(from: context)
        context.flush()
    }

    /// Writes and flushes the last part of a response, then closes once it is on the wire.
    ///
    /// Usually the flush has written everything and the connection closes at once. Otherwise
    /// (a client slower than its response) an empty write's promise says when the rest has
    /// gone, since writes complete in order. A promise on every such response cost its
    /// future, its callback and their generic metadata lookups, on every request that asks to
    /// close (with the initializer's future in `ProxyServer`: 5,100 instructions a connection,
    /// `bench/callgrind.sh --close`).
    private func sendLastAndClose(_ part: HTTPServerResponsePart, context: ChannelHandlerContext) {
        guard self.responseEncoder != nil else {
            // HTTP/2 stream or pipeline: the part itself carries the promise.
            let written = context.eventLoop.makePromise(of: Void.self)
            self.send(part, context: context, promise: written)
            self.flushDownstream(context)
            Self.close(context.channel, when: written.futureResult)
            return
        }
        self.send(part, context: context)
        self.flushDownstream(context)
        if let buffered = try? context.channel.syncOptions?.getOption(.bufferedWritableBytes), buffered == 0 {
            context.channel.close(promise: nil)
            return
        }
        // The encoder's bytes go on as `IOData`; an empty buffer's write completes after them.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(IOData.byteBuffer(ByteBuffer())), promise: written)
        Self.close(context.channel, when: written.futureResult)
    }

    private static func close(_ channel: any Channel, when written: EventLoopFuture<Void>) {
        written.whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func closeDownstream(context: ChannelHandlerContext) {
        if case .proxying(let exchange) = self.state {
            self.dropConnection(exchange)
        }
        self.state = .closed
        context.close(promise: nil)
    }

    // MARK: Metrics and access log

    /// Counts and logs a finished exchange. Metrics count the HTTP status Portico would have
    /// sent even when a gRPC call got its error as a `grpc-status`, so error rates stay visible
    /// per status class; the access log has both.
    private func record(_ exchange: Exchange, status: HTTPResponseStatus, grpcStatus: String? = nil) {
        let duration = NIODeadline.now() - exchange.start
        self.loop.metrics.recordRequest(source: exchange.source, status: status, durationNanoseconds: duration.nanoseconds)
        guard let logger = self.accessLogger else { return }
        self.logAccess(
            logger,
            method: exchange.method.rawValue,
            host: "\(exchange.host)",
            path: "\(exchange.path)",
            status: status,
            bytesSent: exchange.bytesSent,
            duration: duration,
            upstream: "\(exchange.endpoint)",
            source: exchange.source,
            grpcStatus: grpcStatus
        )
    }

    /// Counts and logs the answer to a request too malformed to have a head (as nginx logs its
    /// 400s): no method, host or path to show, and no route.
    private func recordMalformed(status: HTTPResponseStatus, bytesSent: Int) {
        self.loop.metrics.recordRequest(source: ProxyMetrics.unrouted, status: status, durationNanoseconds: 0)
        guard let logger = self.accessLogger else { return }
        self.logAccess(
            logger,
            method: "-",
            host: "-",
            path: "-",
            status: status,
            bytesSent: bytesSent,
            duration: .nanoseconds(0),
            upstream: "-",
            source: ProxyMetrics.unrouted,
            grpcStatus: nil
        )
    }

    private func recordLocal(
        head: HTTPRequestHead,
        source: RouteSource,
        status: HTTPResponseStatus,
        start: NIODeadline,
        grpcStatus: String?
    ) {
        let duration = NIODeadline.now() - start
        self.loop.metrics.recordRequest(source: source, status: status, durationNanoseconds: duration.nanoseconds)
        guard let logger = self.accessLogger else { return }
        self.logAccess(
            logger,
            method: head.method.rawValue,
            host: head.headers.first(name: "host") ?? "-",
            path: head.uri,
            status: status,
            bytesSent: head.method == .HEAD || grpcStatus != nil ? 0 : LocalResponse.body(for: status).utf8.count,
            duration: duration,
            upstream: "-",
            source: source,
            grpcStatus: grpcStatus
        )
    }

    /// One access log line, the same fields for every request; `-` stands for what a request
    /// did not have.
    private func logAccess(
        _ logger: Logger,
        method: String,
        host: String,
        path: String,
        status: HTTPResponseStatus,
        bytesSent: Int,
        duration: TimeAmount,
        upstream: String,
        source: RouteSource,
        grpcStatus: String?
    ) {
        var metadata: Logger.Metadata = [
            "method": "\(method)",
            "host": "\(host)",
            "path": "\(path)",
            "status": "\(status.code)",
            "bytes_sent": "\(bytesSent)",
            "duration_ms": "\(Double(duration.nanoseconds) / 1_000_000)",
            "upstream": "\(upstream)",
            "client": "\(self.clientAddress ?? "-")",
            "namespace": "\(source.namespace)",
            "ingress": "\(source.ingress)",
            "service": "\(source.service)",
            "protocol": "\(self.downstream.label)",
        ]
        if let grpcStatus { metadata["grpc_status"] = "\(grpcStatus)" }
        logger.info("request", metadata: metadata)
    }
}

// MARK: - Upstream events

extension ProxyHandler: UpstreamDelegate {
    func upstreamReceived(_ part: consuming HTTPClientResponsePart) {
        guard case .proxying(let exchange) = self.state, let context = self.context else { return }
        switch consume part {
        case .head(var head):
            if head.status == .switchingProtocols, exchange.facts.upgrade != nil {
                self.relaySwitchingProtocols(head, exchange: exchange, context: context)
                return
            }
            if head.status.code < 200 {
                // 1xx from upstream: Portico consumed `Expect` itself, so none is owed downstream.
                return
            }
            self.responseTimer?.clear()
            let rewritten = HeaderRewriter.rewriteResponse(&head)
            exchange.upstreamCloses = rewritten.upstreamCloses
            if self.grpcRequest { self.grpcStatusInHead = head.headers.first(name: "grpc-status") }
            exchange.status = head.status
            head.version = exchange.downstreamVersion
            let keepAlive = DownstreamKeepAlive.apply(
                to: &head,
                method: exchange.method,
                // An upgrade request left the downstream decoder expecting the switch; after
                // any other answer it cannot read a next request, so the connection closes.
                requestKeepAlive: exchange.downstreamKeepAlive && exchange.facts.upgrade == nil && !self.quiescing
            )
            exchange.closeDownstreamAfterResponse = !keepAlive
            exchange.responseHeadSent = true
            self.addHSTSIfDue(&head)
            self.send(.head(head), context: context, knownFraming: rewritten.framing)
        case .body(let buffer):
            guard exchange.responseHeadSent else { return }
            exchange.bytesSent += buffer.readableBytes
            self.send(.body(.byteBuffer(buffer)), context: context)
            if !context.channel.isWritable {
                exchange.connection?.pauseReading()
            }
        case .end(let trailers):
            guard exchange.responseHeadSent else { return }
            if exchange.switchingProtocols {
                self.switchToRelay(exchange, context: context)
            } else {
                self.completeExchange(exchange, trailers: trailers, context: context)
            }
        }
    }

    func upstreamReadComplete() {
        if let context = self.context { self.flushDownstream(context) }
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable { self.resumeReadsIfPossible() }
    }

    func upstreamClosed() {
        guard case .proxying(let exchange) = self.state else { return }
        exchange.connection = nil
        self.responseTimer?.clear()
        if exchange.mayRetryOnFreshConnection {
            // The stale keep-alive race: the upstream closed an idle connection just as we
            // reused it. Nothing of the body was sent, so sending the request again is safe.
            exchange.retried = true
            if exchange.requestEndSent {
                exchange.requestEndSent = false
                exchange.pending.insert(.end(nil), at: 0)
            }
            self.connect(exchange)
            return
        }
        self.fail(exchange, .upstreamReset(exchange.endpoint))
    }

    private func relaySwitchingProtocols(
        _ head: HTTPResponseHead,
        exchange: Exchange,
        context: ChannelHandlerContext
    ) {
        var head = head
        self.responseTimer?.clear()
        HeaderRewriter.rewriteSwitchingResponse(&head)
        head.version = exchange.downstreamVersion
        exchange.status = head.status
        exchange.responseHeadSent = true
        exchange.switchingProtocols = true
        self.send(.head(head), context: context)
        self.flushDownstream(context)
    }

    /// The 101 message ended: from here on both channels relay bytes (see `UpgradeSwitch`).
    private func switchToRelay(_ exchange: Exchange, context: ChannelHandlerContext) {
        self.record(exchange, status: exchange.status)
        guard let connection = exchange.connection, let upstream = connection.pipeline else {
            self.closeDownstream(context: context)
            return
        }
        connection.delegate = nil
        connection.onClose = nil
        exchange.connection = nil
        self.state = .upgraded
        do {
            try UpgradeSwitch.relay(
                downstream: context.pipeline.syncOperations,
                upstream: upstream,
                idleTimeout: self.configuration.upgradedIdleTimeout
            )
        } catch {
            connection.close()
            context.close(promise: nil)
        }
    }

    private func completeExchange(_ exchange: Exchange, trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        if let connection = exchange.connection {
            exchange.connection = nil
            if exchange.requestEndSent, !exchange.upstreamCloses, exchange.facts.upgrade == nil {
                self.loop.pool.release(connection)
            } else {
                connection.delegate = nil
                connection.close()
            }
        }
        self.record(exchange, status: exchange.status, grpcStatus: trailers?.first(name: "grpc-status") ?? self.grpcStatusInHead)
        // Whether the request body is complete is decided here, at the response's end, not at
        // its head: an upstream that streams (an echo, a gRPC-style service) answers before the
        // client has finished sending, and one may finish before it (an early rejection, a
        // `return` that never reads the body). Then, on HTTP/1.1, the rest of the body is read
        // and dropped (the decoder knows where it ends) and the connection carries on, as
        // nginx does; on HTTP/2 the stream is reset instead, which asks the client to stop
        // sending (RFC 9113 8.1).
        let unfinished = !exchange.requestEndReceived
        let close = exchange.closeDownstreamAfterResponse || self.quiescing || (unfinished && self.downstream == .http2)
        if close {
            self.state = .closed
        } else if unfinished {
            self.state = .discardingRequestBody(keepAlive: true)
        } else {
            self.state = .idle
        }
        self.timeouts?.requestPhase(unfinished ? .discardingBody : .responseCompleted)
        self.writeEnd(trailers: trailers, closeAfter: close, context: context)
        if close {
            self.pipelined.removeAll()
            self.resumeReadsIfPossible()
        } else {
            self.deliverPipelined(context: context)
        }
    }
}
