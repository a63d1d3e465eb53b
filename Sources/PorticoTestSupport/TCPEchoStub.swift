public import NIOCore
internal import NIOSSL
public import PorticoRouteTable
internal import Synchronization

/// A loopback TCP server that sends back every byte it receives, standing in for a database or
/// any raw-TCP backend in layer-4 tests.
///
/// It reads only while it can write (backpressure), and when the client half-closes it
/// finishes sending what it has and half-closes too, so a test can stream in both directions
/// and see the end of each. With `tls` it terminates TLS with that certificate first (a
/// passthrough backend) and then echoes the plaintext.
public final class TCPEchoStub: Sendable {
    private let listener: LoopbackListener
    private let accepted: AcceptCounter

    public var port: Int { self.listener.port }
    /// Where the proxy should send traffic for this stub.
    public var endpoint: Endpoint { self.listener.endpoint }

    /// Connections accepted so far.
    public var acceptedConnections: Int { self.accepted.count.withLock { $0 } }

    private init(listener: LoopbackListener, accepted: AcceptCounter) {
        self.listener = listener
        self.accepted = accepted
    }

    /// Starts a stub on 127.0.0.1 with an ephemeral port.
    public static func start(
        tls: TestCertificateAuthority.Leaf? = nil,
        group: (any EventLoopGroup)? = nil
    ) async throws -> TCPEchoStub {
        let context: NIOSSLContext?
        if let tls {
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.chainPEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.keyPEM.utf8), format: .pem))
            )
            context = try NIOSSLContext(configuration: configuration)
        } else {
            context = nil
        }
        let accepted = AcceptCounter()
        let listener = try await LoopbackListener.bind(group: group, tls: context, allowRemoteHalfClosure: true) { channel in
            accepted.count.withLock { $0 += 1 }
            try channel.pipeline.syncOperations.addHandler(EchoHandler())
        }
        return TCPEchoStub(listener: listener, accepted: accepted)
    }

    public func close() async throws {
        try await self.listener.close()
    }
}

private final class AcceptCounter: Sendable {
    let count = Mutex(0)
}

/// Echoes bytes, reading only while writable; answers a half-close with one.
private final class EchoHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var readPending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            self.readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, self.readPending {
            self.readPending = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Half-close once every echoed byte is written: an output close fails queued writes.
            let channel = context.channel
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: written)
            written.futureResult.whenComplete { _ in
                let closed = channel.eventLoop.makePromise(of: Void.self)
                closed.futureResult.whenFailure { _ in channel.close(promise: nil) }
                channel.close(mode: .output, promise: closed)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Failures of the layer-4 test helpers.
public enum TCPTestError: Error, CustomStringConvertible {
    case noPort
    case timedOut(String)

    public var description: String {
        switch self {
        case .noPort: "the stub has no bound port"
        case .timedOut(let what): "timed out: \(what)"
        }
    }
}
