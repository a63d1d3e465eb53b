internal import NIOCore
internal import NIOPosix
internal import NIOSSL
internal import PorticoRouteTable

/// The listening socket every loopback stub shares, so that each stub only says what a
/// connection's pipeline holds.
///
/// It binds 127.0.0.1 on an ephemeral port with `SO_REUSEADDR`. Each accepted connection gets a
/// `NIOSSLServerHandler` first when a TLS context is given, then what `configure` adds. It does
/// not count or track connections: stubs that report them do it in `configure`.
struct LoopbackListener: Sendable {
    let channel: any Channel
    let port: Int

    /// Where the proxy should send traffic for the stub.
    var endpoint: Endpoint { Endpoint(host: "127.0.0.1", port: self.port) }

    /// - Parameter configure: runs on the connection's event loop when it is accepted, after the
    ///   TLS handler; a throw closes that connection.
    static func bind(
        group: (any EventLoopGroup)?,
        tls: NIOSSLContext? = nil,
        allowRemoteHalfClosure: Bool = false,
        configure: @escaping @Sendable (any Channel) throws -> Void
    ) async throws -> LoopbackListener {
        let channel = try await ServerBootstrap(group: group ?? MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: allowRemoteHalfClosure)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try configure(channel)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw TCPTestError.noPort
        }
        return LoopbackListener(channel: channel, port: port)
    }

    /// Stops listening. Open connections are closed by peers or with the event loop group.
    func close() async throws {
        try await self.channel.close()
    }
}
