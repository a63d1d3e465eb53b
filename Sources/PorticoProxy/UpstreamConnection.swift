internal import NIOCore
internal import NIOHTTP1
internal import PorticoRouteTable

/// What an upstream connection reports to the exchange that currently uses it.
protocol UpstreamDelegate: AnyObject {
    /// Consuming: a head that arrives here as the only reference to its header list can have
    /// headers removed in place, without copying the list first.
    func upstreamReceived(_ part: consuming HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    /// The connection closed or failed; it is unusable from now on.
    func upstreamClosed()
}

/// One keep-alive HTTP/1.1 connection to an upstream endpoint (cleartext or TLS), or one
/// HTTP/2 stream of an `HTTP2UpstreamConnection`, as the last handler of its channel: it
/// relays response parts to the exchange that holds it and lets that exchange pause reading
/// when the downstream side cannot take more (backpressure). On an HTTP/1 connection the parts
/// come straight from `HTTP1ResponseDecoder` (`received(_:)`); on a stream, down its pipeline.
///
/// In its pool (no delegate) it expects silence: any response byte means the upstream is
/// confused, so the connection is closed; a close evicts it from the pool.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let endpoint: Endpoint
    /// Which idle list of the pool the connection returns to; unused by streams.
    let poolKey: UpstreamPool.Key
    /// An HTTP/2 stream: it ends with its exchange and never goes back to a pool.
    let isStream: Bool
    /// Whether the transport (connection or stream's connection) served an exchange before, so
    /// that a failure before any response byte may be the stale keep-alive race.
    var reusedTransport = false
    /// The exchange using this connection; nil while the connection sits in its pool.
    ///
    /// Strong, for the length of one exchange: whoever ends the exchange sets it to nil (the
    /// pool on release, the handler when it drops or hands over the connection, this
    /// connection when it closes), which breaks the cycle through the exchange. A weak
    /// reference would give every `ProxyHandler` a side table and make each of its retains
    /// and releases several times dearer.
    var delegate: (any UpstreamDelegate)?
    /// Called once when the channel closes, so the pool can forget the connection.
    var onClose: ((UpstreamConnection) -> Void)?
    /// The pool's idle timeout: set while the connection is idle, cleared while it is in use.
    var idleTimer = DeadlineTimer()
    private var context: ChannelHandlerContext?
    /// The HTTP/1 connection's encoder, which parts go to directly (see `UpstreamRequestEncoder`);
    /// nil for a stream, whose parts go down the pipeline to the HTTP/2 codec.
    private let encoder: UpstreamRequestEncoder?
    private var readsPaused = false
    private var readPending = false
    private(set) var isActive = false

    init(endpoint: Endpoint, poolKey: UpstreamPool.Key? = nil, isStream: Bool = false, encoder: UpstreamRequestEncoder? = nil) {
        self.endpoint = endpoint
        self.poolKey = poolKey ?? UpstreamPool.Key(endpoint: endpoint)
        self.isStream = isStream
        self.encoder = encoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.isActive = context.channel.isActive
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.isActive = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isActive = false
        self.idleTimer.cancel()
        let delegate = self.delegate
        self.delegate = nil
        let onClose = self.onClose
        self.onClose = nil
        onClose?(self)
        delegate?.upstreamClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.received(self.unwrapInboundIn(data))
    }

    /// A response part, from the pipeline or straight from `HTTP1ResponseDecoder`.
    func received(_ part: consuming HTTPClientResponsePart) {
        guard let delegate = self.delegate else {
            // A response nobody asked for: the connection's framing can no longer be trusted.
            self.context?.close(promise: nil)
            return
        }
        delegate.upstreamReceived(consume part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.delegate?.upstreamReadComplete()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.delegate?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Any error (a decoding error, a reset) leaves the connection unusable; closing it
        // reports `upstreamClosed` to the exchange through `channelInactive`.
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if self.readsPaused {
            self.readPending = true
        } else {
            context.read()
        }
    }

    // MARK: Used by the exchange and the pool

    var isWritable: Bool { self.context?.channel.isWritable ?? false }

    /// `knownFraming`: what `HeaderRewriter` found of a head's framing fields (see
    /// `HTTP1BodyFraming.KnownFields`); the HTTP/1 encoder then frames it without a scan.
    func write(_ part: HTTPClientRequestPart, knownFraming: HTTP1BodyFraming.KnownFields? = nil) {
        if let encoder = self.encoder {
            encoder.write(part, knownFraming: knownFraming)
        } else {
            self.context?.write(self.wrapOutboundOut(part), promise: nil)
        }
    }

    func flush() {
        if let encoder = self.encoder {
            encoder.flush()
        } else {
            self.context?.flush()
        }
    }

    func pauseReading() {
        self.readsPaused = true
    }

    func resumeReading() {
        guard self.readsPaused else { return }
        self.readsPaused = false
        if self.readPending, let context = self.context {
            self.readPending = false
            context.read()
        }
    }

    /// The channel's pipeline, for the switch to a byte relay after an upgrade.
    var pipeline: ChannelPipeline.SynchronousOperations? { self.context?.pipeline.syncOperations }

    func close() {
        self.context?.close(promise: nil)
    }
}
