internal import NIOCore

/// Reads the PROXY protocol header (v1 or v2) a load balancer puts in front of a connection,
/// then sets up the rest of the pipeline and steps aside.
///
/// It is the only handler at first: the listener's own handlers are added by `configure` once
/// the header is known, so that they see the client's address from the start (`ProxyHandler`
/// reads it when it is added) and never see the header's bytes. Bytes after the header, read
/// together with it, are passed on to them.
///
/// A malformed header, one larger than the parser's bounds, or none within `timeout` closes the
/// connection: with the flag on, a connection without a valid header is not trusted.
final class ProxyProtocolHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State {
        case reading
        case done
    }

    private var state = State.reading
    private var preface = ConnectionPreface()
    private let timeout: TimeAmount
    private let configure: (any Channel, ProxyProtocolHeader) throws -> Void

    /// - Parameter configure: adds the handlers that follow, given the header; runs on the
    ///   channel's event loop before the bytes after the header are passed on.
    init(timeout: TimeAmount, configure: @escaping (any Channel, ProxyProtocolHeader) throws -> Void) {
        self.timeout = timeout
        self.configure = configure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.preface.startDeadline(self.timeout, context: context) { [weak self] context in
            guard let self, case .reading = self.state else { return }
            self.fail(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.preface.cancelDeadline()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .reading = self.state else {
            context.fireChannelRead(data)
            return
        }
        let buffer = self.preface.append(self.unwrapInboundIn(data))
        let parsed: (header: ProxyProtocolHeader, length: Int)?
        do {
            parsed = try ProxyProtocolParser.parse(buffer)
        } catch _ {
            self.fail(context: context)
            return
        }
        guard let parsed else { return }
        let (header, length) = parsed
        self.state = .done
        self.preface.finish()
        var rest = buffer
        rest.moveReaderIndex(forwardBy: length)
        do {
            try self.configure(context.channel, header)
        } catch {
            context.close(promise: nil)
            return
        }
        if rest.readableBytes > 0 {
            context.fireChannelRead(self.wrapInboundOut(rest))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.preface.cancelDeadline()
        context.fireChannelInactive()
    }

    /// Closes the connection: a bad, oversize or late header (`ProxyProtocolError` says which;
    /// nothing downstream could use it, as no other handler exists yet).
    private func fail(context: ChannelHandlerContext) {
        self.state = .done
        self.preface.finish()
        context.close(promise: nil)
    }
}
