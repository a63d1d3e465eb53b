internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import PorticoRouteTable

/// The keep-alive upstream connections of one event loop, per endpoint.
///
/// Connections are opened on the same event loop as the downstream channel that needs them,
/// so relaying never hops threads and the pool needs no lock. Idle connections are kept
/// last-in-first-out (the warmest first), at most `maxIdlePerEndpoint` per endpoint, each for
/// at most `idleTimeout`; a connection that closes while idle is evicted at once. Each
/// connection's idle timeout is a `DeadlineTimer`, so taking and releasing a connection per
/// request schedules no task (the one scheduled moves on when it fires early).
final class UpstreamPool {
    private let eventLoop: any EventLoop
    private let connectTimeout: TimeAmount
    private let maxIdlePerEndpoint: Int
    private let idleTimeout: TimeAmount
    /// Only endpoints with idle connections have a key, so endpoint churn leaves nothing behind.
    private var idle: [Endpoint: [UpstreamConnection]] = [:]

    init(eventLoop: any EventLoop, configuration: ProxyConfiguration) {
        self.eventLoop = eventLoop
        self.connectTimeout = configuration.upstreamConnectTimeout
        self.maxIdlePerEndpoint = configuration.upstreamMaxIdlePerEndpoint
        self.idleTimeout = configuration.upstreamIdleTimeout
    }

    /// An idle connection to `endpoint` if one is open, else nil.
    func takeIdle(_ endpoint: Endpoint) -> UpstreamConnection? {
        guard var list = self.idle.removeValue(forKey: endpoint) else { return nil }
        defer { if !list.isEmpty { self.idle[endpoint] = list } }
        while let connection = list.popLast() {
            connection.idleTimer.clear()
            connection.onClose = nil
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Opens a new connection to `endpoint`; `completion` runs on this event loop. A connection
    /// for an upgrade request keeps the bytes its decoder holds past a 101 for the relay; it is
    /// never released to the pool.
    func connect(
        _ endpoint: Endpoint,
        forUpgrade: Bool = false,
        completion: @escaping (Result<UpstreamConnection, ProxyError>) -> Void
    ) {
        // Parsed per connect rather than cached: endpoints churn with pods, and a cache keyed
        // by them would only grow, while parsing an IP literal costs little next to a connect.
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
        } catch {
            completion(.failure(.connectRefused(endpoint)))
            return
        }
        ClientBootstrap(group: self.eventLoop)
            .connectTimeout(self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: forUpgrade ? .forwardBytes : .dropBytes
                    )
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(endpoint: endpoint))
                }
            }
            .connect(to: address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    do {
                        let connection = try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)
                        completion(.success(connection))
                    } catch {
                        channel.close(promise: nil)
                        completion(.failure(.upstreamReset(endpoint)))
                    }
                case .failure(let error):
                    completion(.failure(ProxyError.connectFailure(error, endpoint: endpoint)))
                }
            }
    }

    /// Keeps `connection` for reuse, or closes it when the endpoint already has enough idle ones.
    func release(_ connection: UpstreamConnection) {
        connection.delegate = nil
        connection.resumeReading()
        guard connection.isActive else { return }
        var list = self.idle[connection.endpoint, default: []]
        guard list.count < self.maxIdlePerEndpoint else {
            connection.close()
            return
        }
        connection.onClose = { [unowned self] closed in self.evict(closed) }
        let deadline = self.eventLoop.now + self.idleTimeout
        if connection.idleTimer.set(deadline) { self.scheduleIdleTimer(connection, at: deadline) }
        list.append(connection)
        self.idle[connection.endpoint] = list
    }

    private func scheduleIdleTimer(_ connection: UpstreamConnection, at deadline: NIODeadline) {
        let eventLoop = self.eventLoop
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            switch connection.idleTimer.fired(now: eventLoop.now) {
            case .expired: connection.close()
            case .reschedule(let later):
                if let self { self.scheduleIdleTimer(connection, at: later) }
            case .none: ()
            }
        }
        connection.idleTimer.scheduled(task, at: deadline)
    }

    /// Closes every idle connection (shutdown).
    func closeAll() {
        let all = self.idle.values.flatMap { $0 }
        self.idle.removeAll()
        for connection in all {
            connection.onClose = nil
            connection.close()
        }
    }

    var idleCount: Int { self.idle.values.reduce(0) { $0 + $1.count } }

    private func evict(_ connection: UpstreamConnection) {
        guard var list = self.idle[connection.endpoint],
            let index = list.firstIndex(where: { $0 === connection })
        else { return }
        list.remove(at: index)
        self.idle[connection.endpoint] = list.isEmpty ? nil : list
    }
}
