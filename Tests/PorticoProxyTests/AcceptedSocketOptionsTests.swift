import NIOCore
import NIOPosix
import PorticoRouteTable
import Synchronization
import Testing

@testable import PorticoProxy

/// The socket options every accepted downstream connection must have, read from the accepted
/// socket itself: ProxyServer sets them on the listener and relies on the kernel to copy them,
/// so a change to the bootstrap or to NIO's defaults shows here.
@Suite("Accepted socket options")
struct AcceptedSocketOptionsTests {
    @Test func acceptedConnectionsHaveNagleOff() async throws {
        let harness = try await ProxyHarness.start(makeTable([]))
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: harness.port).get()
        var values: [SocketOptionValue] = []
        // The server registers the connection on its loop shortly after the client's connect
        // returns; look for it a bounded number of times.
        for _ in 0..<100 {
            values = try await Self.noDelayOfOpenConnections(harness.server)
            if !values.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await client.close()
        try await harness.stop()
        #expect(values.count == 1)
        #expect(values.allSatisfy { $0 != 0 })
    }

    /// TCP_NODELAY of every downstream connection the server has open.
    private static func noDelayOfOpenConnections(_ server: ProxyServer) async throws -> [SocketOptionValue] {
        let found = Mutex<[Result<SocketOptionValue, any Error>]>([])
        await server.loops.forEach { loop in
            for channel in loop.openConnections {
                let value = Result { try channel.syncOptions?.getOption(.tcpOption(.tcp_nodelay)) ?? 0 }
                found.withLock { $0.append(value) }
            }
        }
        return try found.withLock { results in try results.map { try $0.get() } }
    }
}
