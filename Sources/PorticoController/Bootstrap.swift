public import Logging
public import PorticoKube
public import Prometheus
public import PorticoProxy
internal import PorticoRouting
public import ServiceLifecycle
internal import UnixSignals
internal import PorticoModel

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
        /// Whether this replica leads (cluster mode only; nil in local mode).
        public let leadership: Leadership?
        /// Cluster mode's Lease campaign and status/Event writer (nil in local mode), exposed so
        /// that tests can run them without a `ServiceGroup`.
        public let election: LeaderElectionService?
        public let reporting: ClusterReportingService?

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
        switch configuration.source {
        case .manifests:
            return try makeServices(configuration: configuration, logger: logger, registry: registry, kubernetes: nil)
        case .cluster(let settings):
            let client = try KubeClientFactory.client(for: settings.connection, logger: logger)
            return try makeServices(configuration: configuration, logger: logger, registry: registry, kubernetes: client, clientLogsFailures: true)
        }
    }

    /// The same, with the Kubernetes client given (tests pass one pointed at a test API server).
    /// - Parameters:
    ///   - kubernetes: required in cluster mode, unused in local mode.
    ///   - clientLogsFailures: whether the client logs each failure class itself (the libcurl
    ///     client does); then the controller's own failure lines go to debug.
    public static func makeServices(
        configuration: Configuration,
        logger: Logger,
        registry: PrometheusCollectorRegistry?,
        kubernetes: (any KubernetesAPI)?,
        clientLogsFailures: Bool = false
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
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: admin), .init(service: proxy)]
        var cluster: ClusterParts?
        if case .cluster(let settings) = configuration.source {
            guard let kubernetes else { throw ClusterModeError.noClient }
            var scope = settings.scope
            // Translation reads these ConfigMaps, so the source must watch them whoever named them.
            let readByTranslation = [configuration.translation.tcpServicesConfigMap, configuration.translation.controllerConfigMap]
            for name in readByTranslation.compactMap({ $0 }) where !scope.configMaps.contains(name) {
                scope.configMaps.append(name)
            }
            cluster = ClusterParts(settings: settings, scope: scope, api: kubernetes, logger: logger, failureLevel: clientLogsFailures ? .debug : nil)
        }
        let reporting = cluster?.reporting
        var observer: (@Sendable (Reconciler.Publication) -> Void)?
        if let reporting {
            observer = { reporting.offer($0) }
        }
        let reconcile = ReconcileService(
            configuration: configuration, routes: routes, readiness: readiness, logger: logger, certificates: certificates,
            cluster: cluster?.source, observer: observer
        )
        let drain = ShutdownDrain(readiness: readiness, delay: configuration.shutdownDrainDelay, logger: logger)
        let tcpServices = configuration.translation.tcpServicesConfigMap == nil ? nil : TCPServiceManager(
            routes: routes, group: proxy.eventLoopGroup, configuration: configuration.proxy, logger: logger
        )
        // Shut down in reverse order, each waited for: drain (readiness off, still accepting),
        // the cluster-mode writers (the elector releases its Lease), TCP services (before the
        // proxy, whose event loops they run on), reconcile, proxy (stop accepting, grace period
        // for requests in flight), admin last so that probes answer to the end.
        // No maximum graceful shutdown duration: the drain is one sleep and the proxy bounds its
        // own drain by the grace period.
        services.append(.init(service: reconcile))
        if let tcpServices { services.append(.init(service: tcpServices)) }
        if let cluster {
            services.append(.init(service: cluster.election))
            services.append(.init(service: cluster.reporting))
        }
        services.append(.init(service: drain))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        return Services(
            group: group, routes: routes, certificates: certificates, readiness: readiness, proxy: proxy, admin: admin,
            reconcile: reconcile, drain: drain, tcpServices: tcpServices, logger: logger,
            leadership: cluster?.leadership, election: cluster?.election, reporting: cluster?.reporting
        )
    }
}

/// The cluster-mode services around one client: reflectors, the Lease campaign and the
/// status/Event writer, sharing one failure reporter so each failure class is logged once.
private struct ClusterParts {
    let source: ClusterSource
    let leadership: Leadership
    let election: LeaderElectionService
    let reporting: ClusterReportingService

    init(settings: ClusterSettings, scope: ClusterScope, api: any KubernetesAPI, logger: Logger, failureLevel: Logger.Level?) {
        let reporter = FailureReporter(logger: logger, level: failureLevel)
        source = ClusterSource(api: api, scope: scope, timing: settings.reflectorTiming, reporter: reporter, logger: logger)
        leadership = Leadership()
        election = LeaderElectionService(
            elector: LeaderElector(
                api: api,
                lease: NamespacedName(namespace: settings.electionNamespace, name: settings.electionID),
                identity: settings.identity,
                timing: settings.electionTiming,
                leadership: leadership,
                reporter: reporter,
                logger: logger
            )
        )
        reporting = ClusterReportingService(settings: settings, api: api, leadership: leadership, reporter: reporter, logger: logger)
    }
}
