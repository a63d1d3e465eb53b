public import Logging
public import Prometheus
public import PorticoProxy
public import ServiceLifecycle
internal import UnixSignals

/// Turns a validated `Configuration` into the process's services, so that the wiring is
/// testable and the executable holds no logic.
public enum Bootstrap {
    /// The running parts of one Portico process.
    public struct Services: Sendable {
        public let group: ServiceGroup
        public let routes: RouteTableStore
        public let readiness: Readiness
        public let proxy: ProxyServer
        public let admin: AdminServer
        public let reconcile: ReconcileService

        /// Runs every service until SIGTERM or SIGINT, then shuts them down gracefully.
        public func run() async throws {
            try await group.run()
        }
    }

    /// - Parameter registry: the Prometheus registry `/metrics` renders (from
    ///   `MetricsBootstrap.prometheus()`); nil serves an empty page.
    public static func makeServices(
        configuration: Configuration,
        logger: Logger,
        registry: PrometheusCollectorRegistry?
    ) -> Services {
        let routes = RouteTableStore()
        let readiness = Readiness()
        let proxy = ProxyServer(configuration: configuration.proxy, routes: routes, logger: logger)
        let admin = AdminServer(
            configuration: configuration.admin,
            logger: logger,
            isReady: { readiness.isReady },
            metrics: { registry?.emitToBuffer() ?? [] }
        )
        let reconcile = ReconcileService(configuration: configuration, routes: routes, readiness: readiness, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: admin),
                    .init(service: proxy),
                    .init(service: reconcile),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        return Services(group: group, routes: routes, readiness: readiness, proxy: proxy, admin: admin, reconcile: reconcile)
    }
}
