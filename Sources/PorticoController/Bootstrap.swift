public import Logging
public import Prometheus
public import PorticoProxy
internal import PorticoRouting
public import ServiceLifecycle
internal import UnixSignals

/// Turns a validated `Configuration` into the process's services, so that the wiring is
/// testable and the executable holds no logic.
public enum Bootstrap {
    /// The running parts of one Portico process.
    public struct Services: Sendable {
        public let group: ServiceGroup
        public let routes: RouteTableStore
        /// The certificates of the HTTPS listener; nil when it does not run.
        public let certificates: CertificateStore?
        public let readiness: Readiness
        public let proxy: ProxyServer
        public let admin: AdminServer
        public let reconcile: ReconcileService
        /// The layer-4 listeners; nil without `--tcp-services-configmap`.
        public let tcpServices: TCPServiceManager?

        /// Runs every service until SIGTERM or SIGINT, then shuts them down gracefully.
        public func run() async throws {
            try await group.run()
        }
    }

    /// - Parameter registry: the Prometheus registry `/metrics` renders (from
    ///   `MetricsBootstrap.prometheus()`); nil serves an empty page.
    /// - Throws: when the default TLS certificate cannot be generated.
    public static func makeServices(
        configuration: Configuration,
        logger: Logger,
        registry: PrometheusCollectorRegistry?
    ) throws -> Services {
        var configuration = configuration
        configuration.translation.reservedPorts.formUnion(configuration.listenerPorts)
        let routes = RouteTableStore()
        let readiness = Readiness()
        let certificates = configuration.proxy.httpsPort == nil ? nil : try CertificateStore.withGeneratedDefault()
        let proxy = ProxyServer(configuration: configuration.proxy, routes: routes, logger: logger, certificates: certificates)
        let admin = AdminServer(
            configuration: configuration.admin,
            logger: logger,
            isReady: { readiness.isReady },
            metrics: { registry?.emitToBuffer() ?? [] }
        )
        let reconcile = ReconcileService(
            configuration: configuration, routes: routes, readiness: readiness, logger: logger, certificates: certificates
        )
        // Listed last so that it stops first: the proxy's event loops outlive its connections.
        let tcpServices = configuration.translation.tcpServicesConfigMap == nil ? nil : TCPServiceManager(
            routes: routes, group: proxy.eventLoopGroup, configuration: configuration.proxy, logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: admin),
            .init(service: proxy),
            .init(service: reconcile),
        ]
        if let tcpServices { services.append(.init(service: tcpServices)) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        return Services(group: group, routes: routes, certificates: certificates, readiness: readiness, proxy: proxy, admin: admin, reconcile: reconcile,
            tcpServices: tcpServices
        )
    }
}
