internal import NIOCore
internal import NIOTLS

/// Reports the end of an upstream TLS handshake, so that a connection is handed to a request
/// only once the server is verified and a failure can be told apart from a reset (502 with a
/// `tls` reason and a log line naming the cause).
///
/// It sits right after `NIOSSLClientHandler` and leaves the pipeline once the handshake is done.
final class UpstreamTLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// Succeeds with the ALPN protocol the server chose (nil when it chose none).
    let result: EventLoopPromise<String?>
    private var done = false

    init(eventLoop: any EventLoop) {
        self.result = eventLoop.makePromise()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish(.failure(ChannelError.ioOnClosedChannel))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event {
            self.finish(.success(negotiated))
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<String?, any Error>) {
        guard !self.done else { return }
        self.done = true
        self.result.completeWith(result)
    }
}
