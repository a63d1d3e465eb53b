internal import NIOCore

/// Counts the bytes a downstream TCP-service connection carries: read from the client ("in")
/// and written to it ("out"). Passes everything on unchanged.
final class TCPByteCountingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let metrics: TCPServiceMetrics

    init(metrics: TCPServiceMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.metrics.received(self.unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.metrics.sent(self.unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}
