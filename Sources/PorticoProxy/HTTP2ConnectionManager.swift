internal import NIOCore
internal import NIOHTTP2

/// The life of a downstream HTTP/2 connection: closed with GOAWAY after `idleTimeout` without
/// an open stream, and drained on `ChannelShouldQuiesceEvent` (graceful shutdown), in RFC 9113
/// section 6.8's two steps: a GOAWAY naming the highest stream ID there can be and a PING; once
/// the PING's acknowledgement shows the client has seen that GOAWAY (and opens no more
/// streams), a second GOAWAY naming the last stream opened, and the close when the open
/// streams have finished. An idle connection is drained the same way.
///
/// This is what swift-nio-http2's `NIOHTTP2ServerConnectionManagementHandler` does with an idle
/// time and nothing else configured, which is how Portico used it. That handler learns of
/// streams through a delegate struct holding it and its event loop, which `NIOHTTP2Handler`
/// keeps in its multiplexer's state and copies dozens of times a request (two retains and
/// releases each), and on every stream it cancelled and restarted a NIO timer and hashed the
/// stream ID into a set. Here the delegate is this handler (one reference), streams are
/// counted, and the idle deadline sits in the loop's `LoopTimerQueue`: bench/callgrind.sh
/// --http2, 180,616 → 176,601 instructions a request.
///
/// `NIOHTTP2Handler` calls the delegate methods on the connection's event loop, from its own
/// frame handling, which is why this class may be marked `Sendable` without a lock: it is only
/// ever used on that loop, like every handler.
final class HTTP2ConnectionManager: ChannelDuplexHandler, NIOHTTP2StreamDelegate, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private enum State: Equatable {
        case serving
        /// The first GOAWAY and the PING are out; waiting for the PING's acknowledgement.
        case draining
        /// The last GOAWAY is out: the connection closes when its last stream does.
        case closing
    }

    private let idleTimeout: TimeAmount
    private let timers: LoopTimerQueue
    private let pingData = HTTP2PingData(withInteger: UInt64.random(in: .min ... .max))
    private var state = State.serving
    private var openStreams = 0
    private var lastStreamID = HTTP2StreamID.rootStream
    private var idleTimer: LoopTimer?
    private var context: ChannelHandlerContext?

    /// - Parameter timers: the queue of the connection's event loop.
    init(idleTimeout: TimeAmount, timers: LoopTimerQueue) {
        self.idleTimeout = idleTimeout
        self.timers = timers
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Unowned: `handlerRemoved` cancels the timer, after which it never fires (`LoopTimer`).
        self.idleTimer = self.timers.makeTimer { [unowned self] in self.idleTimeoutPassed() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.idleTimer = nil
        self.context = nil
    }

    /// The idle time runs from the connection's start (the pipeline that adds this handler
    /// fires `channelActive` again for it, since the connection was active before).
    func channelActive(context: ChannelHandlerContext) {
        if self.openStreams == 0, self.state == .serving { self.startIdleTime(context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.state == .draining, case .ping(let ping, ack: true) = self.unwrapInboundIn(data).payload, ping == self.pingData {
            self.sendLastGoAway(context: context)
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { self.drain(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Streams (NIOHTTP2StreamDelegate)

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
        self.openStreams += 1
        if id > self.lastStreamID { self.lastStreamID = id }
        self.idleTimer?.clear()
    }

    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
        self.openStreams = max(0, self.openStreams - 1)
        guard self.openStreams == 0, let context = self.context else { return }
        switch self.state {
        case .serving:
            self.startIdleTime(context: context)
        case .draining:
            ()
        case .closing:
            // The frame that closed the stream was written but not yet flushed (the HTTP/2
            // handler counts a stream closed when its last frame is written): close on the
            // loop's next tick, after that flush.
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.close(promise: nil) }
        }
    }

    // MARK: Draining

    private func startIdleTime(context: ChannelHandlerContext) {
        self.idleTimer?.set(context.eventLoop.now + self.idleTimeout)
    }

    private func idleTimeoutPassed() {
        guard self.openStreams == 0, let context = self.context else { return }
        self.drain(context: context)
    }

    private func drain(context: ChannelHandlerContext) {
        guard self.state == .serving else { return }
        self.state = .draining
        self.idleTimer?.clear()
        // A client may open streams until it sees this GOAWAY; the PING's acknowledgement says
        // it has.
        let goAway = HTTP2Frame(
            streamID: .rootStream,
            payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil)
        )
        context.write(self.wrapOutboundOut(goAway), promise: nil)
        let ping = HTTP2Frame(streamID: .rootStream, payload: .ping(self.pingData, ack: false))
        context.write(self.wrapOutboundOut(ping), promise: nil)
        context.flush()
    }

    private func sendLastGoAway(context: ChannelHandlerContext) {
        self.state = .closing
        let goAway = HTTP2Frame(
            streamID: .rootStream,
            payload: .goAway(lastStreamID: self.lastStreamID, errorCode: .noError, opaqueData: nil)
        )
        context.writeAndFlush(self.wrapOutboundOut(goAway), promise: nil)
        if self.openStreams == 0 { context.close(promise: nil) }
    }
}
