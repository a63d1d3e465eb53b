public import Logging
public import PorticoKube
public import Prometheus
public import PorticoProxy
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
        /// Whether this replica leads (cluster mode only; nil in local mode).
        public let leadership: Leadership?
        /// Cluster mode's Lease campaign and status/Event writer (nil in local mode), exposed so
        /// that tests can run them without a `ServiceGroup`.
        public let election: LeaderElectionService?
        public let reporting: ClusterReportingService?

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
            cluster = ClusterParts(settings: settings, api: kubernetes, logger: logger, failureLevel: clientLogsFailures ? .debug : nil)
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
        services.append(.init(service: reconcile))
        if let cluster {
            services.append(.init(service: cluster.election))
            services.append(.init(service: cluster.reporting))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        return Services(
            group: group, routes: routes, certificates: certificates, readiness: readiness, proxy: proxy, admin: admin,
            reconcile: reconcile, leadership: cluster?.leadership, election: cluster?.election, reporting: cluster?.reporting
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

    init(settings: ClusterSettings, api: any KubernetesAPI, logger: Logger, failureLevel: Logger.Level?) {
        let reporter = FailureReporter(logger: logger, level: failureLevel)
        source = ClusterSource(api: api, scope: settings.scope, timing: settings.reflectorTiming, reporter: reporter, logger: logger)
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
