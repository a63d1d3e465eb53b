internal import NIOCore

/// One side of an upgraded (101 Switching Protocols) connection: after the switch the proxy
/// no longer speaks HTTP on either channel and relays raw bytes between them.
///
/// Two of these are paired, one at the end of the downstream pipeline (under TLS when the
/// listener has it) and one at the end of the upstream pipeline; both channels run on the same
/// event loop. Bytes read on one side are written to the other and flushed at the end of the
/// read cycle. Backpressure: a side reads only while its partner's channel is writable, and
/// a held read is issued when the partner becomes writable again. A half-close (input closed)
/// is passed on as an output close of the partner once the bytes before it are written; a
/// close after a half-close lets the partner write what it holds before closing; any other
/// close or an error closes both at once.
///
/// The downstream side also owns the idle timeout: any byte in either direction moves the
/// deadline, which costs storing a `NIODeadline`; a single scheduled task is re-armed only
/// when it fires early (see `DeadlineTimer`).
final class UpgradedRelayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private weak var partner: UpgradedRelayHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Set once this side's peer half-closed (only with `allowRemoteHalfClosure`), or once
    /// this side's output was closed for the partner's half-close: a later close of this
    /// channel is then the clean end of both directions (NIO closes a channel whose output is
    /// shut when its input ends, without an `inputClosed` event).
    private var endedCleanly = false
    /// Set on the side that owns the idle timeout.
    private let idleTimeout: TimeAmount?
    private var idleTimer = DeadlineTimer()

    init(idleTimeout: TimeAmount?) {
        self.idleTimeout = idleTimeout
    }

    /// Pairs two handlers so each relays to the other.
    static func pair(_ first: UpgradedRelayHandler, _ second: UpgradedRelayHandler) {
        first.partner = second
        second.partner = first
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.noteActivity()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.idleTimer.cancel()
        self.context = nil
        self.partner = nil
    }

    // MARK: Inbound, relayed to the partner

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.noteActivity()
        self.partner?.partnerWrite(self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.partner?.partnerFlush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleTimer.cancel()
        if self.endedCleanly {
            // This side ended cleanly (its end was passed on as an output close): the partner
            // still delivers what it holds for its peer, then closes.
            self.partner?.partnerCloseAfterWrites()
        } else {
            self.partner?.partnerClose()
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.endedCleanly = true
            self.partner?.partnerCloseOutput()
        }
        // `ChannelShouldQuiesceEvent` is not passed on: an upgraded protocol has no request
        // boundary to stop at, so the connection lives until the shutdown grace period ends.
        if !(event is ChannelShouldQuiesceEvent) {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
        self.partner?.partnerClose()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if self.partner?.isWritable ?? true {
            context.read()
        } else {
            self.pendingRead = true
        }
    }

    // MARK: Called by the partner

    private var isWritable: Bool { self.context?.channel.isWritable ?? false }

    private func partnerWrite(_ buffer: ByteBuffer) {
        self.context?.write(self.wrapOutboundOut(buffer), promise: nil)
    }

    private func partnerFlush() {
        self.context?.flush()
    }

    private func partnerBecameWritable() {
        guard self.pendingRead, let context = self.context else { return }
        self.pendingRead = false
        context.read()
    }

    private func partnerClose() {
        self.context?.close(promise: nil)
    }

    private func partnerCloseAfterWrites() {
        guard let context = self.context else { return }
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func partnerCloseOutput() {
        self.closeOutputAfterPendingWrites()
    }

    /// Half-closes this side once the bytes queued before now are written (an output close
    /// fails the writes still queued); a later close of this channel is then a clean end.
    func closeOutputAfterPendingWrites() {
        guard let context = self.context else { return }
        self.endedCleanly = true
        let channel = context.channel
        // Writes complete in order: once an empty write behind the queued ones is done, every
        // relayed byte is on the wire.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: written)
        written.futureResult.whenComplete { result in
            guard case .success = result else { return }
            // Channels that cannot half-close (TLS without half-closure support) close instead.
            let closed = channel.eventLoop.makePromise(of: Void.self)
            closed.futureResult.whenFailure { _ in channel.close(promise: nil) }
            channel.close(mode: .output, promise: closed)
        }
    }

    // MARK: Idle timeout

    private func noteActivity() {
        guard let idleTimeout = self.idleTimeout else {
            self.partner?.noteActivity()
            return
        }
        guard let context = self.context else { return }
        let deadline = context.eventLoop.now + idleTimeout
        if self.idleTimer.set(deadline) { self.scheduleIdleTimer(at: deadline, context: context) }
    }

    private func scheduleIdleTimer(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = context.loopBound
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            let context = loopBound.value
            switch self.idleTimer.fired(now: context.eventLoop.now) {
            case .expired:
                context.close(promise: nil)
                self.partner?.partnerClose()
            case .reschedule(let later):
                self.scheduleIdleTimer(at: later, context: context)
            case .none:
                ()
            }
        }
        self.idleTimer.scheduled(task, at: deadline)
    }
}
