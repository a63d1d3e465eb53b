internal import NIOCore
internal import NIOHTTP1
internal import NIOHTTP2
internal import PorticoRouteTable

/// One multiplexed HTTP/2 connection to an upstream endpoint (h2c or h2 over TLS), as the last
/// handler of its channel, after `NIOHTTP2Handler`.
///
/// Each exchange gets a stream of its own, whose pipeline ends in an `UpstreamConnection`, so
/// `ProxyHandler` speaks `HTTPClientRequestPart`/`HTTPClientResponsePart` exactly as over
/// HTTP/1.1 (including trailers, which streams carry in both directions). Per-stream flow
/// control is NIO's: a stream whose reader pauses stops granting window, which caps what it
/// buffers at the stream window (64 KiB).
///
/// A connection takes streams until the server's `SETTINGS_MAX_CONCURRENT_STREAMS` (100 until
/// the server says otherwise) or a GOAWAY; the pool then opens another one. With no open
/// stream it closes after the pool's idle timeout. Requests that arrive while it is still
/// connecting wait for it, so a burst shares one connection instead of opening one each.
final class HTTP2UpstreamConnection: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    typealias Completion = (Result<UpstreamConnection, ProxyError>) -> Void

    private enum State {
        case connecting
        case ready(NIOHTTP2Handler.StreamMultiplexer)
        case closed
    }

    let endpoint: Endpoint
    private let httpProtocol: HTTP2FramePayloadToHTTP1ClientCodec.HTTPProtocol
    private let idleTimeout: TimeAmount
    private let eventLoop: any EventLoop
    private var state: State = .connecting
    private var waiting: [Completion] = []
    private var context: ChannelHandlerContext?
    /// Streams open or promised to a waiting request.
    private(set) var openStreams = 0
    private var maxConcurrentStreams = 100
    private var goingAway = false
    private var servedStreams = 0
    private var idleTimer = DeadlineTimer()
    /// Called once when the connection closes or fails, so the pool can forget it.
    var onClose: ((HTTP2UpstreamConnection) -> Void)?

    init(endpoint: Endpoint, usesTLS: Bool, idleTimeout: TimeAmount, eventLoop: any EventLoop) {
        self.endpoint = endpoint
        self.httpProtocol = usesTLS ? .https : .http
        self.idleTimeout = idleTimeout
        self.eventLoop = eventLoop
    }

    /// Whether a new exchange may open a stream here.
    var hasCapacity: Bool {
        if case .closed = self.state { return false }
        return !self.goingAway && self.openStreams < self.maxConcurrentStreams
    }

    var isClosed: Bool {
        if case .closed = self.state { return true }
        return false
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only root-stream frames reach this handler: the multiplexer keeps stream frames.
        switch self.unwrapInboundIn(data).payload {
        case .settings(.settings(let settings)):
            for setting in settings where setting.parameter == .maxConcurrentStreams {
                self.maxConcurrentStreams = setting.value
            }
        case .goAway:
            self.goingAway = true
            self.closeIfUnused()
        default:
            ()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.closed(.upstreamReset(self.endpoint))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A connection error leaves every stream unusable; closing reports it to each of them.
        context.close(promise: nil)
    }

    // MARK: Used by the pool

    /// The connection is up (and, over TLS, verified with `h2` negotiated).
    func ready(multiplexer: NIOHTTP2Handler.StreamMultiplexer) {
        guard case .connecting = self.state else { return }
        self.state = .ready(multiplexer)
        let waiting = self.waiting
        self.waiting = []
        for completion in waiting {
            self.createStream(multiplexer, reused: false, completion: completion)
        }
        self.closeIfUnused()
    }

    /// The connection could not be opened: every waiting request fails with `error`.
    func failed(_ error: ProxyError) {
        self.closed(error)
    }

    /// Opens a stream for one exchange; `completion` runs on this event loop.
    func openStream(_ completion: @escaping Completion) {
        self.openStreams += 1
        self.idleTimer.clear()
        switch self.state {
        case .connecting:
            self.waiting.append(completion)
        case .ready(let multiplexer):
            self.createStream(multiplexer, reused: self.servedStreams > 0, completion: completion)
        case .closed:
            self.openStreams -= 1
            completion(.failure(.upstreamReset(self.endpoint)))
        }
    }

    /// Takes no new stream and closes once the open ones are done (settings changed, shutdown).
    func retire() {
        self.goingAway = true
        self.closeIfUnused()
    }

    func close() {
        self.context?.close(promise: nil)
    }

    // MARK: Streams

    private func createStream(_ multiplexer: NIOHTTP2Handler.StreamMultiplexer, reused: Bool, completion: @escaping Completion) {
        let endpoint = self.endpoint
        let httpProtocol = self.httpProtocol
        let promise = self.eventLoop.makePromise(of: (any Channel).self)
        multiplexer.createStreamChannel(promise: promise) { stream in
            stream.eventLoop.makeCompletedFuture {
                let pipeline = stream.pipeline.syncOperations
                try pipeline.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: httpProtocol))
                try pipeline.addHandler(HTTP2RequestHeadHandler(fallbackAuthority: endpoint.description))
                try pipeline.addHandler(UpstreamConnection(endpoint: endpoint, isStream: true))
            }
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let stream):
                guard let connection = try? stream.pipeline.syncOperations.handler(type: UpstreamConnection.self) else {
                    stream.close(promise: nil)
                    self.streamClosed()
                    completion(.failure(.upstreamReset(endpoint)))
                    return
                }
                self.servedStreams += 1
                connection.reusedTransport = reused
                connection.onClose = { [weak self] _ in self?.streamClosed() }
                completion(.success(connection))
            case .failure:
                self.streamClosed()
                completion(.failure(.upstreamReset(endpoint)))
            }
        }
    }

    private func streamClosed() {
        self.openStreams -= 1
        self.closeIfUnused()
    }

    /// With no open stream: closes at once when going away, else arms the idle timeout.
    private func closeIfUnused() {
        guard self.openStreams == 0, case .ready = self.state else { return }
        if self.goingAway {
            self.close()
            return
        }
        let deadline = self.eventLoop.now + self.idleTimeout
        if self.idleTimer.set(deadline) { self.scheduleIdleTimer(at: deadline) }
    }

    private func scheduleIdleTimer(at deadline: NIODeadline) {
        let task = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            switch self.idleTimer.fired(now: self.eventLoop.now) {
            case .expired: self.close()
            case .reschedule(let later): self.scheduleIdleTimer(at: later)
            case .none: ()
            }
        }
        self.idleTimer.scheduled(task, at: deadline)
    }

    private func closed(_ error: ProxyError) {
        if case .closed = self.state { return }
        self.state = .closed
        self.idleTimer.cancel()
        let waiting = self.waiting
        self.waiting = []
        self.openStreams -= waiting.count
        let onClose = self.onClose
        self.onClose = nil
        onClose?(self)
        for completion in waiting { completion(.failure(error)) }
    }
}
