internal import NIOCore
internal import NIOHTTP1

/// Enforces the idle keep-alive timeout and the request-head read timeout (slowloris) of one
/// downstream connection.
///
/// It sits first in the pipeline, below the HTTP codec, so it sees raw bytes arrive and can
/// write its 408 as bytes whatever state the codec is in. It learns about request heads and
/// finished responses from `ProxyHandler`, which holds a reference to it and calls
/// `requestPhase(_:)` directly: an outbound user event would cross every handler in between
/// and cost a dynamic cast, twice per request.
///
/// Timing uses one `LoopTimer` per connection in the loop's `LoopTimerQueue` rather than a
/// scheduled task per request: the idle deadline only moves later between requests, and the
/// header deadline noted when bytes arrive is set only at the end of the read cycle, by which
/// time the head has usually been decoded and the deadline dropped again (a header deadline
/// is earlier than the idle one, and setting it would often move the queue's task). Both
/// timeouts expire when they are reached (within the event loop's scheduling latency).
///
/// Inbound only: it writes nothing but its 408, so every write, flush and read of the
/// connection passes it by instead of through it (one handler call less each).
final class ConnectionTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var machine = ConnectionTimeoutStateMachine()
    private let idleTimeout: TimeAmount
    private let headerTimeout: TimeAmount
    private let timers: LoopTimerQueue?
    private var timer: LoopTimer?
    /// The header deadline of bytes read in this read cycle, set on the timer at its end if
    /// the head is still incomplete then.
    private var pendingHeaderDeadline: NIODeadline?
    private var context: ChannelHandlerContext?

    /// - Parameter timers: the queue of the connection's event loop; nil makes the handler
    ///   a queue of its own (tests on an `EmbeddedChannel`).
    init(idleTimeout: TimeAmount, headerTimeout: TimeAmount, timers: LoopTimerQueue? = nil) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.timers = timers
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let timers = self.timers ?? LoopTimerQueue(eventLoop: context.eventLoop)
        // Unowned: `handlerRemoved` cancels the timer, after which it never fires (`LoopTimer`).
        self.timer = timers.makeTimer { [unowned self] in self.timerFired() }
        if context.channel.isActive { self.run(self.machine.channelActive(), context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.run(self.machine.channelActive(), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.run(self.machine.channelInactive(), context: context)
        // Leave the queue now rather than wait there for the rest of the timeout.
        self.timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.run(self.machine.bytesReceived(), context: context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if let deadline = self.pendingHeaderDeadline {
            self.pendingHeaderDeadline = nil
            self.timer?.set(deadline)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.context = nil
    }

    /// Where the request cycle is; called by the handler that serves the requests.
    func requestPhase(_ phase: RequestPhase) {
        guard let context = self.context else { return }
        switch phase {
        case .headReceived: self.run(self.machine.headReceived(), context: context)
        case .responseCompleted: self.run(self.machine.responseCompleted(), context: context)
        case .discardingBody: self.run(self.machine.discardingBody(), context: context)
        }
    }

    private func run(_ action: ConnectionTimeoutStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            ()
        case .armIdleTimer:
            self.pendingHeaderDeadline = nil
            self.timer?.set(context.eventLoop.now + self.idleTimeout)
        case .armHeaderTimer:
            // Set at the end of the read cycle if the head is still incomplete then; until
            // then the idle deadline stays.
            self.pendingHeaderDeadline = context.eventLoop.now + self.headerTimeout
        case .cancelTimer:
            self.pendingHeaderDeadline = nil
            self.timer?.clear()
        case .close:
            context.close(promise: nil)
        case .sendRequestTimeoutAndClose:
            let bytes = LocalResponse.bytes(.requestTimeout, allocator: context.channel.allocator)
            let channel = context.channel
            context.writeAndFlush(NIOAny(IOData.byteBuffer(bytes))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    private func timerFired() {
        guard let context = self.context else { return }
        self.run(self.machine.timerFired(), context: context)
    }
}
