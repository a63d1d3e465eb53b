import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport

/// One route of a hand-written test table.
struct TestRoute {
    var host: HostMatch = .any
    var path: PathMatch = .prefix("")
    var service: String
    var endpoints: [Endpoint]
    var serviceExists = true
    var upstream: UpstreamProtocol = .http1

    var clusterID: ClusterID { ClusterID(namespace: "default", service: self.service, port: "80") }
}

/// Builds a `RouteTable` the way translation would, without Kubernetes types.
func makeTable(_ routes: [TestRoute], generation: UInt64 = 1) -> RouteTable {
    var byHost: [HostMatch: [Route]] = [:]
    var clusters: [ClusterID: Cluster] = [:]
    var endpoints: [ClusterID: [Endpoint]] = [:]
    for route in routes {
        let source = RouteSource(namespace: "default", ingress: "ing-\(route.service)", service: route.service)
        byHost[route.host, default: []].append(
            Route(match: route.path, backend: .cluster(route.clusterID), source: source)
        )
        clusters[route.clusterID] = Cluster(id: route.clusterID, serviceExists: route.serviceExists, upstream: route.upstream)
        endpoints[route.clusterID] = route.endpoints
    }
    let hosts = byHost.map { VirtualHost(match: $0.key, routes: $0.value) }
    return RouteTable(generation: generation, virtualHosts: hosts, clusters: clusters, endpoints: endpoints)
}

/// A running proxy on 127.0.0.1 with an ephemeral port.
struct ProxyHarness {
    let server: ProxyServer
    let store: RouteTableStore
    let port: Int

    static func start(
        _ table: RouteTable,
        logger: Logger? = nil,
        group: (any EventLoopGroup)? = nil,
        configure: (inout ProxyConfiguration) -> Void = { _ in }
    ) async throws -> ProxyHarness {
        var configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
        configuration.upstreamConnectTimeout = .seconds(2)
        configuration.upstreamResponseTimeout = .seconds(5)
        configuration.shutdownGracePeriod = .seconds(2)
        configure(&configuration)
        let store = RouteTableStore(table)
        var logger = logger ?? Logger(label: "portico.test")
        logger.logLevel = .warning
        let server = ProxyServer(
            configuration: configuration,
            routes: store,
            logger: logger,
            group: group ?? MultiThreadedEventLoopGroup.singleton
        )
        let port = try await server.start()
        return ProxyHarness(server: server, store: store, port: port)
    }

    func stop() async throws {
        try await self.server.shutdown()
    }

    /// Sends one request on a fresh connection.
    func send(
        method: HTTPMethod = .GET,
        uri: String = "/",
        host: String? = "example.com",
        headers: [(String, String)] = [],
        body: HTTPTestClient.Body = .none,
        version: HTTPVersion = .http1_1
    ) async throws -> HTTPTestClient.Response {
        try await HTTPTestClient.withConnection(port: self.port) { client in
            try await client.send(method: method, uri: uri, host: host, headers: headers, body: body, version: version)
        }
    }
}

/// Runs `body` with a proxy and closes it (and the stubs) afterwards, even when `body` throws.
func withProxy<Result>(
    _ table: RouteTable,
    stubs: [UpstreamStub] = [],
    logger: Logger? = nil,
    group: (any EventLoopGroup)? = nil,
    configure: (inout ProxyConfiguration) -> Void = { _ in },
    _ body: (ProxyHarness) async throws -> Result
) async throws -> Result {
    let harness = try await ProxyHarness.start(table, logger: logger, group: group, configure: configure)
    do {
        let result = try await body(harness)
        try await harness.stop()
        for stub in stubs { try await stub.close() }
        return result
    } catch {
        try? await harness.stop()
        for stub in stubs { try? await stub.close() }
        throw error
    }
}
