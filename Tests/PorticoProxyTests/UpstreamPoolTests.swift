import NIOCore
import NIOHTTP1
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

    final class Exchange: UpstreamDelegate {
        func upstreamReceived(_ part: consuming HTTPClientResponsePart) {}
        func upstreamReadComplete() {}
        func upstreamWritabilityChanged(isWritable: Bool) {}
        func upstreamClosed() {}
    }

    /// A connection holds the exchange using it strongly (a weak reference made every
    /// handler's retains dearer), so the pool and the connection's close must let it go: a
    /// connection going back to its list, or closing under its exchange, keeps no delegate.
    @Test func aConnectionLetsItsExchangeGoWhenReleasedOrClosed() async throws {
        let stub = try await UpstreamStub.start(name: "pool", behavior: .fixed(status: 200, body: "x"))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let cluster = Cluster(id: ClusterID(namespace: "default", service: "pool", port: "80"))
        let endpoint = stub.endpoint
        let pool = try await loop.submit {
            NIOLoopBound(UpstreamPool(eventLoop: loop, configuration: ProxyConfiguration()), eventLoop: loop)
        }.get()
        @Sendable func connect() async throws -> NIOLoopBound<UpstreamConnection> {
            try await loop.flatSubmit { () -> EventLoopFuture<NIOLoopBound<UpstreamConnection>> in
                let promise = loop.makePromise(of: NIOLoopBound<UpstreamConnection>.self)
                pool.value.connect(endpoint, cluster: cluster) { result in
                    switch result {
                    case .success(let connection): promise.succeed(NIOLoopBound(connection, eventLoop: loop))
                    case .failure(let error): promise.fail(error)
                    }
                }
                return promise.futureResult
            }.get()
        }

        let released = try await connect()
        let exchangeGone = try await loop.submit {
            weak var exchange: Exchange?
            do {
                let strong = Exchange()
                exchange = strong
                released.value.delegate = strong
            }
            pool.value.release(released.value)
            return released.value.delegate == nil && exchange == nil
        }.get()
        #expect(exchangeGone, "released to the pool")

        let closing = try await connect()
        let watcher = try await loop.submit {
            let strong = Exchange()
            closing.value.delegate = strong
            let watcher = NIOLoopBound(Watcher(strong), eventLoop: loop)
            closing.value.close()
            return watcher
        }.get()
        let deadline = ContinuousClock.now + .seconds(5)
        var gone = false
        while !gone, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            gone = try await loop.submit { closing.value.delegate == nil && watcher.value.exchange == nil }.get()
        }
        #expect(gone, "closed under its exchange")
        _ = try await loop.submit { pool.value.closeAll() }.get()
        try await stub.close()
    }

    final class Watcher {
        weak var exchange: Exchange?
        init(_ exchange: Exchange) { self.exchange = exchange }
    }
}
