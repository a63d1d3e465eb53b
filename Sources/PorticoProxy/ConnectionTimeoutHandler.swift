internal import NIOCore
internal import NIOHTTP1

/// Enforces the idle keep-alive timeout and the request-head read timeout (slowloris) of one
/// downstream connection.
///
/// It sits first in the pipeline, below the HTTP codec, so it sees raw bytes arrive and can
/// write its 408 as bytes whatever state the codec is in. It learns about request heads and
/// finished responses from `ProxyHandler`, which holds a reference to it and calls
/// `requestPhase(_:)` directly: an outbound user event would cross every handler in between
/// and cost a dynamic cast, twice per request. `RequestPhase` outbound events are still
/// understood, for pipelines that cannot hold the reference.
///
/// Timing uses one `DeadlineTimer` per connection rather than a scheduled task per request:
/// the idle deadline only moves later between requests, and the header deadline set when
/// bytes arrive is scheduled only at the end of the read cycle, by which time the head has
/// usually been decoded and the deadline cleared again. Both timeouts expire when they are
/// reached (within the event loop's scheduling latency), as before.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var machine = ConnectionTimeoutStateMachine()
    private let idleTimeout: TimeAmount
    private let headerTimeout: TimeAmount
    private var timer = DeadlineTimer()
    private var context: ChannelHandlerContext?

    init(idleTimeout: TimeAmount, headerTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { self.run(self.machine.channelActive(), context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.run(self.machine.channelActive(), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.run(self.machine.channelInactive(), context: context)
        // The task holds the context: cancel it rather than let it linger until it fires.
        self.timer.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.run(self.machine.bytesReceived(), context: context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if let deadline = self.timer.deadline, self.timer.needsTask {
            self.schedule(at: deadline, context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer.cancel()
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

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let phase = event as? RequestPhase else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        self.requestPhase(phase)
        promise?.succeed()
    }

    private func run(_ action: ConnectionTimeoutStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            ()
        case .armIdleTimer:
            let deadline = context.eventLoop.now + self.idleTimeout
            if self.timer.set(deadline) { self.schedule(at: deadline, context: context) }
        case .armHeaderTimer:
            // Scheduled at the end of the read cycle if the head is still incomplete then.
            _ = self.timer.set(context.eventLoop.now + self.headerTimeout)
        case .cancelTimer:
            self.timer.clear()
        case .close:
            context.close(promise: nil)
        case .sendRequestTimeoutAndClose:
            let bytes = LocalResponse.bytes(.requestTimeout, allocator: context.channel.allocator)
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.byteBuffer(bytes))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = context.loopBound
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            let context = loopBound.value
            switch self.timer.fired(now: context.eventLoop.now) {
            case .expired: self.run(self.machine.timerFired(), context: context)
            case .reschedule(let later): self.schedule(at: later, context: context)
            case .none: ()
            }
        }
        self.timer.scheduled(task, at: deadline)
    }
}
