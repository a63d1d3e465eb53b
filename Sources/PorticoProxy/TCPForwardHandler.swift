internal import NIOCore
internal import NIOPosix
internal import PorticoRouteTable

/// Connects a downstream connection to one upstream endpoint and then gets out of the way,
/// leaving a pair of `UpgradedRelayHandler`s that relay bytes both ways: the layer-4 path of
/// TCP services and TLS passthrough.
///
/// While the upstream connection is being opened, the downstream read is held (no read is
/// issued), so at most what was already read (a passthrough ClientHello) waits, capped at
/// `pendingLimit`. Once connected it writes the optional `preamble` (a PROXY protocol header),
/// then the waiting bytes, replaces itself with the relay and lets reads flow. A half-close
/// that arrived meanwhile is passed on after the waiting bytes. No endpoint, a failed or
/// timed-out connect closes the downstream connection: TCP has no error page.
final class TCPForwardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Settings {
        var connectTimeout: TimeAmount
        /// Time the relayed connection may pass no byte either way before both sides close.
        var idleTimeout: TimeAmount
        /// Most bytes kept while connecting; more closes the connection.
        var pendingLimit = 64 * 1024
    }

    private enum State {
        case connecting
        /// The downstream connection went away before the upstream one was ready.
        case abandoned
        case relaying
    }

    private let endpoint: Endpoint?
    private let preamble: ByteBuffer?
    private let settings: Settings
    private let onConnectFailure: () -> Void
    private var state = State.connecting
    private var pending: ByteBuffer?
    private var readHeld = false
    private var inputClosed = false
    private var connectStarted = false

    /// - Parameters:
    ///   - endpoint: where to connect; nil (no ready endpoint) closes at once.
    ///   - onConnectFailure: told when there is no endpoint or the connect fails (metrics).
    init(endpoint: Endpoint?, preamble: ByteBuffer?, settings: Settings, onConnectFailure: @escaping () -> Void = {}) {
        self.endpoint = endpoint
        self.preamble = preamble
        self.settings = settings
        self.onConnectFailure = onConnectFailure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Half-closes are relayed, so the downstream side must report them rather than close.
        try? context.channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
        if context.channel.isActive { self.connect(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        self.connect(context: context)
    }

    /// Starts the upstream connect once the downstream connection is active (a listener adds
    /// this handler before that), so that the relay is never set up on an inactive channel.
    private func connect(context: ChannelHandlerContext) {
        guard case .connecting = self.state, !self.connectStarted else { return }
        self.connectStarted = true
        guard let endpoint = self.endpoint, let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
        else {
            self.giveUp(context: context)
            return
        }
        let loopBound = context.loopBound
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(self.settings.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.autoRead, value: false)
            .connect(to: address)
            .assumeIsolated()
            .whenComplete { [self] result in
                let context = loopBound.value
                switch result {
                case .success(let upstream):
                    self.connected(upstream, context: context)
                case .failure:
                    if case .connecting = self.state { self.giveUp(context: context) }
                }
            }
    }

    // MARK: While connecting

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = self.unwrapInboundIn(data)
        guard case .connecting = self.state else { return }
        if self.pending == nil {
            self.pending = incoming
        } else {
            self.pending?.writeBuffer(&incoming)
        }
        if (self.pending?.readableBytes ?? 0) > self.settings.pendingLimit {
            self.state = .abandoned
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .connecting = self.state {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.inputClosed = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .connecting = self.state { self.state = .abandoned }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .connecting = self.state { self.state = .abandoned }
        context.close(promise: nil)
    }

    // MARK: Outcome

    private func giveUp(context: ChannelHandlerContext) {
        self.state = .abandoned
        self.pending = nil
        self.onConnectFailure()
        context.close(promise: nil)
    }

    private func connected(_ upstream: any Channel, context: ChannelHandlerContext) {
        guard case .connecting = self.state, context.channel.isActive else {
            upstream.close(promise: nil)
            if case .connecting = self.state { self.giveUp(context: context) }
            return
        }
        self.state = .relaying
        let upstreamRelay = UpgradedRelayHandler(idleTimeout: nil)
        let downstreamRelay = UpgradedRelayHandler(idleTimeout: self.settings.idleTimeout)
        UpgradedRelayHandler.pair(downstreamRelay, upstreamRelay)
        do {
            try upstream.pipeline.syncOperations.addHandler(upstreamRelay)
            try context.pipeline.syncOperations.addHandler(downstreamRelay, position: .after(self))
        } catch {
            upstream.close(promise: nil)
            context.close(promise: nil)
            return
        }
        if let preamble = self.preamble { upstream.write(preamble, promise: nil) }
        if let pending = self.pending, pending.readableBytes > 0 { upstream.write(pending, promise: nil) }
        self.pending = nil
        upstream.flush()
        if self.inputClosed { upstreamRelay.closeOutputAfterPendingWrites() }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        try? upstream.syncOptions?.setOption(.autoRead, value: true)
        upstream.read()
        if self.readHeld || !self.inputClosed { context.channel.read() }
    }
}
