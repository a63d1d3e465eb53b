import NIOCore

/// One side of a relayed connection pair: what this channel reads is written to the partner's
/// channel and flushed when the read burst ends; when either side closes, so does the other.
///
/// It does no flow control (a slow reader lets the other side's writes queue up): the floor is
/// driven by request-response load, where at most one response per connection is in flight.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The other side. The pair references each other until either handler is removed.
    var partner: RelayHandler?
    private var context: ChannelHandlerContext?
    private var wroteSinceFlush = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let other = self.partner?.context else { return }
        other.write(data, promise: nil)
        self.wroteSinceFlush = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard self.wroteSinceFlush else { return }
        self.wroteSinceFlush = false
        self.partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }
}
