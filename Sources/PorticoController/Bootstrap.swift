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
        public let drain: ShutdownDrain
        /// The layer-4 listeners; nil without `--tcp-services-configmap`.
        public let tcpServices: TCPServiceManager?
        let logger: Logger

        /// Runs every service until SIGTERM or SIGINT, then shuts them down gracefully: `/readyz`
        /// fails at once, the listeners keep accepting for the drain delay, then stop, and
        /// requests in flight get the grace period.
        ///
        /// The signals are handled here rather than by `ServiceGroup`, which listens for one
        /// graceful-shutdown signal only and ignores a repeat: a second SIGTERM or SIGINT cancels
        /// the group, which closes every connection without waiting.
        ///
        /// - Throws: `ForcedShutdown` after a second signal; a service's error.
        public func run() async throws {
            let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
            let group = self.group
            let logger = self.logger
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    var first = true
                    for await signal in signals {
                        guard first else {
                            logger.warning("\(signal) received again: stopping now, without waiting for requests in flight")
                            throw ForcedShutdown(signal: signal)
                        }
                        first = false
                        logger.notice("\(signal) received: shutting down gracefully (send it again to stop at once)")
                        await group.triggerGracefulShutdown()
                    }
                }
                tasks.addTask { try await group.run() }
                // Whichever ends first ends both: the group finished (or failed), or a second
                // signal cancels it.
                _ = try await tasks.next()
                tasks.cancelAll()
            }
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
        let drain = ShutdownDrain(readiness: readiness, delay: configuration.shutdownDrainDelay, logger: logger)
        let tcpServices = configuration.translation.tcpServicesConfigMap == nil ? nil : TCPServiceManager(
            routes: routes, group: proxy.eventLoopGroup, configuration: configuration.proxy, logger: logger
        )
        // Shut down in reverse order, each waited for: drain (readiness off, still accepting),
        // TCP services (before the proxy, whose event loops they run on), reconcile, proxy (stop
        // accepting, grace period for requests in flight), admin last so that probes answer to
        // the end.
        // No maximum graceful shutdown duration: the drain is one sleep and the proxy bounds its
        // own drain by the grace period.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: admin),
            .init(service: proxy),
            .init(service: reconcile),
        ]
        if let tcpServices { services.append(.init(service: tcpServices)) }
        services.append(.init(service: drain))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        return Services(
            group: group, routes: routes, certificates: certificates, readiness: readiness, proxy: proxy, admin: admin,
            reconcile: reconcile, drain: drain, tcpServices: tcpServices, logger: logger
        )
    }
}
