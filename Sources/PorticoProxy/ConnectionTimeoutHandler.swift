internal import NIOCore
internal import NIOHTTP1

/// Enforces the idle keep-alive timeout and the request-head read timeout (slowloris) of one
/// downstream connection.
///
/// It sits first in the pipeline, below the HTTP codec, so it sees raw bytes arrive and can
/// write its 408 as bytes whatever state the codec is in. It learns about request heads and
/// finished responses from `RequestPhase` outbound events sent by `ProxyHandler`.
final class ConnectionTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var machine = ConnectionTimeoutStateMachine()
    private let idleTimeout: TimeAmount
    private let headerTimeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(idleTimeout: TimeAmount, headerTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.run(self.machine.channelActive(), context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.run(self.machine.channelActive(), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.run(self.machine.channelInactive(), context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.run(self.machine.bytesReceived(), context: context)
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let phase = event as? RequestPhase else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch phase {
        case .headReceived: self.run(self.machine.headReceived(), context: context)
        case .responseCompleted: self.run(self.machine.responseCompleted(), context: context)
        }
        promise?.succeed()
    }

    private func run(_ action: ConnectionTimeoutStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            ()
        case .armIdleTimer:
            self.arm(self.idleTimeout, context: context)
        case .armHeaderTimer:
            self.arm(self.headerTimeout, context: context)
        case .cancelTimer:
            self.timer?.cancel()
            self.timer = nil
        case .close:
            context.close(promise: nil)
        case .sendRequestTimeoutAndClose:
            let bytes = LocalResponse.bytes(.requestTimeout, allocator: context.channel.allocator)
            let channel = context.channel
            context.writeAndFlush(Self.wrapOutboundOut(.byteBuffer(bytes))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        self.timer?.cancel()
        let loopBound = context.loopBound
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.run(self.machine.timerFired(), context: loopBound.value)
        }
    }
}
