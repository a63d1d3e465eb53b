internal import NIOCore
internal import NIOHTTP1

/// Enforces the idle keep-alive timeout and the request-head read timeout (slowloris) of one
/// downstream HTTP/1 connection.
///
/// Not a handler of its own: `HTTP1RequestDecoder`, the first HTTP handler of the pipeline,
/// tells it when bytes arrive and when a read cycle ends, and `ProxyHandler` tells it when a
/// head has arrived and when a response is complete (`requestPhase(_:)`). As a handler in
/// front of the decoder it cost a handler call on every read and read-complete, and on every
/// connection its own context, its adding and removing, and the calls of each lifecycle event
/// (registered, active, inactive, unregistered): `bench/callgrind.sh`, 2026-11-24, 119,224 →
/// about 115,450 instructions a request with a new connection each (`--close`), 45,377 →
/// about 44,850 on a kept-alive connection. Its 408 is written as bytes
/// from the decoder's place in the pipeline, which is where the old handler sat (only the TLS
/// handlers are in front), whatever state the decoder is in.
///
/// Timing uses one `LoopTimer` per connection in the loop's `LoopTimerQueue` rather than a
/// scheduled task per request: the idle deadline only moves later between requests, and the
/// header deadline noted when bytes arrive is set only at the end of the read cycle, by which
/// time the head has usually been decoded and the deadline dropped again (a header deadline
/// is earlier than the idle one, and setting it would often move the queue's task). Both
/// timeouts expire when they are reached (within the event loop's scheduling latency).
final class ConnectionTimeouts {
    private var machine = ConnectionTimeoutStateMachine()
    private let idleTimeout: TimeAmount
    private let headerTimeout: TimeAmount
    private let timers: LoopTimerQueue?
    private var timer: LoopTimer?
    /// The header deadline of bytes read in this read cycle, set on the timer at its end if
    /// the head is still incomplete then.
    private var pendingHeaderDeadline: NIODeadline?
    /// The decoder's context, from `attach(to:)` to `detach()`.
    private var context: ChannelHandlerContext?

    /// - Parameter timers: the queue of the connection's event loop; nil makes the timeouts
    ///   a queue of their own (tests on an `EmbeddedChannel`).
    init(idleTimeout: TimeAmount, headerTimeout: TimeAmount, timers: LoopTimerQueue? = nil) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.timers = timers
    }

    /// Starts timing on the connection of `context` (the decoder's), at once if it is active.
    func attach(to context: ChannelHandlerContext) {
        self.context = context
        let timers = self.timers ?? LoopTimerQueue(eventLoop: context.eventLoop)
        // Unowned: `detach` cancels the timer, after which it never fires (`LoopTimer`).
        self.timer = timers.makeTimer { [unowned self] in self.timerFired() }
        if context.channel.isActive { self.run(self.machine.channelActive()) }
    }

    /// Stops timing for good: the decoder left the pipeline (closed, or switched to a relay).
    func detach() {
        self.timer?.cancel()
        self.context = nil
    }

    func channelActive() {
        self.run(self.machine.channelActive())
    }

    func channelInactive() {
        self.run(self.machine.channelInactive())
        // Leave the queue now rather than wait there for the rest of the timeout.
        self.timer?.cancel()
    }

    /// Bytes arrived, before the decoder reads them.
    func bytesReceived() {
        self.run(self.machine.bytesReceived())
    }

    /// The read cycle ended, after the rest of the pipeline heard so.
    func readCycleEnded() {
        if let deadline = self.pendingHeaderDeadline {
            self.pendingHeaderDeadline = nil
            self.timer?.set(deadline)
        }
    }

    /// Where the request cycle is; called by the handler that serves the requests.
    func requestPhase(_ phase: RequestPhase) {
        switch phase {
        case .headReceived: self.run(self.machine.headReceived())
        case .responseCompleted: self.run(self.machine.responseCompleted())
        case .discardingBody: self.run(self.machine.discardingBody())
        }
    }

    private func run(_ action: ConnectionTimeoutStateMachine.Action) {
        guard let context = self.context else { return }
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
        self.run(self.machine.timerFired())
    }
}
