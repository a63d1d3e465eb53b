internal import NIOCore
internal import NIOTLS

/// Watches the TLS handshake of one downstream connection, just after `NIOSSLServerHandler`:
/// counts its outcome and closes the connection if it does not finish within the deadline.
///
/// The connection's other timeouts start with decrypted bytes, after the handshake; without
/// this deadline a client could hold a connection forever by never finishing its hello.
///
/// Once the handshake has completed it leaves the pipeline, so that the connection's reads
/// do not pass through it for the rest of its life.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State {
        case handshaking
        case done
    }

    private var state = State.handshaking
    private let metrics: TLSMetrics
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(metrics: TLSMetrics, timeout: TimeAmount) {
        self.metrics = metrics
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = context.loopBound
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: self.timeout) { [weak self] in
            guard let self, case .handshaking = self.state else { return }
            self.finish(.failure(.timeout))
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted = event as? TLSUserEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        self.finish(.success(()))
        context.fireUserInboundEventTriggered(event)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .handshaking = self.state {
            self.finish(.failure(TLSMetrics.reason(for: error)))
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking = self.state {
            self.finish(.failure(.closed))
        }
        context.fireChannelInactive()
    }

    private func finish(_ outcome: Result<Void, TLSMetrics.FailureReason>) {
        self.state = .done
        self.timer?.cancel()
        self.timer = nil
        switch outcome {
        case .success: self.metrics.recordSuccess()
        case .failure(let reason): self.metrics.recordFailure(reason)
        }
    }
}
