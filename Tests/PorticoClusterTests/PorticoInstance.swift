import Foundation
import Logging
import PorticoController
import PorticoKube
import PorticoModel
import PorticoProxy
import PorticoRouting
import PorticoTestSupport
import Testing

/// One Portico process in cluster mode, wired by the same `Bootstrap` the executable uses
/// (kubeconfig → libcurl client), with the proxy and admin on ephemeral 127.0.0.1 ports and
/// durations shortened for tests.
final class PorticoInstance: Sendable {
    let services: Bootstrap.Services
    let proxyPort: Int
    let adminPort: Int
    private let tasks: [Task<Void, any Error>]

    private init(services: Bootstrap.Services, proxyPort: Int, adminPort: Int, tasks: [Task<Void, any Error>]) {
        self.services = services
        self.proxyPort = proxyPort
        self.adminPort = adminPort
        self.tasks = tasks
    }

    static let electionTiming = LeaderElectionTiming(leaseDuration: .seconds(3), renewDeadline: .seconds(2), retryPeriod: .milliseconds(200))
    static let reflectorTiming = ReflectorTiming(
        watchTimeoutSeconds: 20...30, backoffInitial: .milliseconds(50), backoffMaximum: .milliseconds(500)
    )

    static func start(
        _ cluster: ClusterHarness,
        identity: String = "portico-0",
        kubeconfig: String? = nil,
        statusAddresses: [String] = ["10.0.0.1"],
        publishService: NamespacedName? = nil,
        watchNamespace: String? = nil,
        tcpServices: NamespacedName? = nil,
        controllerConfigMap: NamespacedName? = nil,
        logger: Logger = Logger(label: "cluster-test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> PorticoInstance {
        let settings = ClusterSettings(
            connection: .kubeconfig(path: kubeconfig ?? cluster.kubeconfig, context: nil),
            watchNamespace: watchNamespace,
            publishService: publishService,
            publishStatusAddresses: statusAddresses,
            electionNamespace: "portico",
            identity: identity,
            reflectorTiming: reflectorTiming,
            electionTiming: electionTiming
        )
        var configuration = Configuration(
            source: .cluster(settings),
            proxy: ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 1),
            admin: AdminServer.Configuration(bindHost: "127.0.0.1", port: 0)
        )
        configuration.translation.tcpServicesConfigMap = tcpServices
        configuration.translation.controllerConfigMap = controllerConfigMap
        let services = try Bootstrap.makeServices(configuration: configuration, logger: logger, registry: nil)
        let proxyPort = try await services.proxy.start()
        let adminPort = try await services.admin.start()
        var tasks = [Task { try await services.reconcile.run() }]
        if let election = services.election { tasks.append(Task { try await election.run() }) }
        if let reporting = services.reporting { tasks.append(Task { try await reporting.run() }) }
        if let tcpServices = services.tcpServices { tasks.append(Task { try await tcpServices.run() }) }
        return PorticoInstance(services: services, proxyPort: proxyPort, adminPort: adminPort, tasks: tasks)
    }

    var isReady: Bool { services.readiness.isReady }
    var isLeader: Bool { services.leadership?.isLeader ?? false }

    /// Stops the controller's tasks (the elector releases its Lease) and the listeners.
    func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        await services.tcpServices?.shutdown()
        try? await services.proxy.shutdown()
        try? await services.admin.shutdown()
    }

    /// One request through the proxy on a new connection.
    func get(host: String, path: String = "/") async throws -> HTTPTestClient.Response {
        try await HTTPTestClient.withConnection(port: proxyPort) { client in
            try await client.send(uri: path, host: host)
        }
    }

    /// Runs `body` with a started instance and always stops it.
    static func with(
        _ cluster: ClusterHarness,
        identity: String = "portico-0",
        statusAddresses: [String] = ["10.0.0.1"],
        publishService: NamespacedName? = nil,
        logger: Logger = Logger(label: "cluster-test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: @Sendable (PorticoInstance) async throws -> Void
    ) async throws {
        let instance = try await start(cluster, identity: identity, statusAddresses: statusAddresses, publishService: publishService, logger: logger)
        do {
            try await body(instance)
        } catch {
            await instance.stop()
            throw error
        }
        await instance.stop()
    }
}
