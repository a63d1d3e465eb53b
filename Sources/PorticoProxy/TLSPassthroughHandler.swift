internal import NIOCore
internal import PorticoRouteTable

/// Decides, from the SNI name of a connection's ClientHello, whether the HTTPS listener
/// terminates TLS or passes the connection through untouched to a passthrough host's backend.
///
/// It is the first handler of the HTTPS pipeline while the table has passthrough hosts (the
/// TLS handlers are not there yet). It keeps the bytes it reads until `ClientHelloParser` has a
/// whole hello (at most `limit` bytes, within `timeout`), then either
/// - adds a `TCPForwardHandler` to the host's next endpoint (round robin, per event loop) and
///   hands it the hello, so the backend sees the client's exact bytes; or
/// - adds the TLS pipeline (`terminate`) and replays the bytes into it.
/// Either way it then removes itself. A hello without SNI, a malformed one, a non-TLS
/// first byte, too many bytes or the timeout all mean "terminate": the TLS stack answers
/// those as it would without passthrough (an alert or its own handshake timeout).
final class TLSPassthroughHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State {
        case reading
        case decided
    }

    /// A whole 16 KiB record plus the header of a following one.
    static let limit = ClientHelloParser.maximumHelloLength + 1024

    private let routes: RouteTableStore
    private let loop: LoopState
    private let forward: TCPForwardHandler.Settings
    private let timeout: TimeAmount
    private let terminate: (any Channel) throws -> Void
    private var state = State.reading
    private var preface = ConnectionPreface()

    /// - Parameter terminate: adds the TLS pipeline; runs on the channel's event loop.
    init(
        routes: RouteTableStore,
        loop: LoopState,
        forward: TCPForwardHandler.Settings,
        timeout: TimeAmount,
        terminate: @escaping (any Channel) throws -> Void
    ) {
        self.routes = routes
        self.loop = loop
        self.forward = forward
        self.timeout = timeout
        self.terminate = terminate
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.preface.startDeadline(self.timeout, context: context) { [weak self] context in
            guard let self, case .reading = self.state else { return }
            self.finish(passthrough: nil, context: context)
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
        switch ClientHelloParser.parse(buffer) {
        case .incomplete where buffer.readableBytes <= Self.limit:
            return
        case .incomplete, .malformed, .serverName(nil):
            self.finish(passthrough: nil, context: context)
        case .serverName(let name?):
            let table = self.routes.current
            if let cluster = table.passthroughCluster(forServerName: Substring(name)) {
                self.finish(passthrough: (cluster, table.endpoints[cluster] ?? []), context: context)
            } else {
                self.finish(passthrough: nil, context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.preface.cancelDeadline()
        context.fireChannelInactive()
    }

    private func finish(passthrough target: (cluster: ClusterID, endpoints: [Endpoint])?, context: ChannelHandlerContext) {
        self.state = .decided
        let bytes = self.preface.finish()
        do {
            if let target {
                let endpoint = self.loop.pickEndpoint(target.cluster, from: target.endpoints)
                try context.pipeline.syncOperations.addHandler(
                    TCPForwardHandler(endpoint: endpoint, preamble: nil, settings: self.forward),
                    position: .after(self)
                )
            } else {
                try self.terminate(context.channel)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        if let bytes, bytes.readableBytes > 0 {
            context.fireChannelRead(self.wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
