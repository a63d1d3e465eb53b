import NIOCore
import NIOPosix
import PorticoRouteTable
import PorticoTestSupport
import Testing

@testable import PorticoProxy

/// The pool's idle lists, driven directly on one event loop against a real upstream socket.
@Suite struct UpstreamPoolTests {
    /// A list lives only while it holds connections: the last one taken, or closed while idle,
    /// takes the list with it, so endpoints that come and go leave nothing behind.
    @Test func anEndpointWithoutIdleConnectionsKeepsNoList() async throws {
        let stub = try await UpstreamStub.start(name: "pool", behavior: .fixed(status: 200, body: "x"))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let cluster = Cluster(id: ClusterID(namespace: "default", service: "pool", port: "80"))
        let endpoint = stub.endpoint
        let bound = try await loop.flatSubmit { () -> EventLoopFuture<NIOLoopBound<(UpstreamPool, UpstreamConnection)>> in
            let pool = UpstreamPool(eventLoop: loop, configuration: ProxyConfiguration())
            let promise = loop.makePromise(of: NIOLoopBound<(UpstreamPool, UpstreamConnection)>.self)
            pool.connect(endpoint, cluster: cluster) { result in
                switch result {
                case .success(let connection): promise.succeed(NIOLoopBound((pool, connection), eventLoop: loop))
                case .failure(let error): promise.fail(error)
                }
            }
            return promise.futureResult
        }.get()
        @Sendable func step(_ action: @escaping @Sendable (UpstreamPool, UpstreamConnection) -> Void = { _, _ in }) async throws -> [Int] {
            try await loop.submit {
                let (pool, connection) = bound.value
                action(pool, connection)
                return [pool.idleCount, pool.idleListCount]
            }.get()
        }

        #expect(try await step() == [0, 0])
        #expect(try await step { pool, connection in pool.release(connection) } == [1, 1])
        let same = try await loop.submit {
            let (pool, connection) = bound.value
            return pool.takeIdle(endpoint, cluster: cluster) === connection
        }.get()
        #expect(same)
        #expect(try await step() == [0, 0], "taking the last connection drops its list")
        #expect(try await step { pool, connection in pool.release(connection) } == [1, 1], "and returning it makes one again")

        _ = try await step { _, connection in connection.close() }
        let deadline = ContinuousClock.now + .seconds(5)
        var counts = try await step()
        while counts != [0, 0], ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            counts = try await step()
        }
        #expect(counts == [0, 0], "a connection closed while idle leaves with its list")
        _ = try await step { pool, _ in pool.closeAll() }
        try await stub.close()
    }
}
