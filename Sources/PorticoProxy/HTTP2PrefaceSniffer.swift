internal import NIOCore

/// On the plain-HTTP listener with h2c enabled, tells an HTTP/2 prior-knowledge connection
/// from an HTTP/1.1 one by its first bytes, sets up the matching pipeline after itself, hands
/// it the bytes it has seen and leaves.
///
/// An HTTP/2 client opens with the 24-byte preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`
/// (RFC 9113 section 3.4), which no HTTP/1.1 request starts with; the first byte that differs
/// decides HTTP/1.1, so an HTTP/1.1 request is rarely held back at all. It buffers at most 24
/// bytes, and closes a connection that has not decided within `timeout` (a client that
/// trickles its first bytes) or that is asked to quiesce before deciding.
final class HTTP2PrefaceSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The protocol a connection speaks.
    enum Choice: Equatable {
        case http1
        case http2
    }

    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let timeout: TimeAmount
    private let configure: (Choice, ChannelPipeline.SynchronousOperations) throws -> Void
    private var buffered: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var decided = false

    /// - Parameter configure: adds the chosen protocol's handlers at the end of the pipeline.
    init(timeout: TimeAmount, configure: @escaping (Choice, ChannelPipeline.SynchronousOperations) throws -> Void) {
        self.timeout = timeout
        self.configure = configure
    }

    /// The protocol `bytes` (the start of a connection) announce, or nil while they are a
    /// proper prefix of the preface.
    static func classify(_ bytes: ByteBuffer) -> Choice? {
        let count = min(bytes.readableBytes, self.preface.count)
        let matches = bytes.withUnsafeReadableBytes { raw in
            raw.prefix(count).elementsEqual(self.preface.prefix(count))
        }
        guard matches else { return .http1 }
        return count == self.preface.count ? .http2 : nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.startTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.startTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.decided else {
            context.fireChannelRead(data)
            return
        }
        var bytes = self.unwrapInboundIn(data)
        if var buffered = self.buffered {
            buffered.writeBuffer(&bytes)
            bytes = buffered
        }
        guard let choice = Self.classify(bytes) else {
            self.buffered = bytes
            return
        }
        self.decided = true
        self.buffered = nil
        self.timer?.cancel()
        self.timer = nil
        do {
            try self.configure(choice, context.pipeline.syncOperations)
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(self.wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !self.decided, event is ChannelShouldQuiesceEvent {
            // Nothing was served yet: nothing to finish.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard self.timer == nil, !self.decided else { return }
        let channel = context.channel
        self.timer = context.eventLoop.scheduleTask(in: self.timeout) {
            channel.close(promise: nil)
        }
    }
}
