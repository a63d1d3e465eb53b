public import Logging
internal import PorticoModel
internal import PorticoManifests
public import PorticoKube
internal import PorticoRouting
public import PorticoProxy
public import ServiceLifecycle

/// Runs a resource source through the reconcile loop for the life of the process, publishing
/// into the route table store and marking the pod ready after the first publish.
public struct ReconcileService: ServiceLifecycle.Service {
    private let configuration: Configuration
    private let routes: RouteTableStore
    private let certificates: CertificateStore?
    private let readiness: Readiness
    private let logger: Logger
    private let cluster: ClusterSource?
    private let observer: (@Sendable (Reconciler.Publication) -> Void)?

    /// - Parameters:
    ///   - cluster: the source in cluster mode (required then, ignored in local mode).
    ///   - observer: sees every publication after it is published (the cluster reporting).
    public init(
        configuration: Configuration,
        routes: RouteTableStore,
        readiness: Readiness,
        logger: Logger,
        certificates: CertificateStore? = nil,
        cluster: ClusterSource? = nil,
        observer: (@Sendable (Reconciler.Publication) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.routes = routes
        self.certificates = certificates
        self.readiness = readiness
        self.logger = logger
        self.cluster = cluster
        self.observer = observer
    }

    public func run() async throws {
        switch configuration.source {
        case .manifests(let directory):
            let source = try ManifestSource(folder: directory, logger: logger)
            try await run(source: source, requiredKinds: Set(ResourceKind.allCases))
        case .cluster:
            guard let cluster else { throw ClusterModeError.noClient }
            try await run(source: cluster, requiredKinds: cluster.kinds)
        }
    }

    func run<Source: AsyncSequence & Sendable>(source: Source, requiredKinds: Set<ResourceKind>) async throws where Source.Element == ResourceEvent {
        let options = configuration.translation
        let routes = self.routes
        let certificates = self.certificates
        let loop = ReconcileLoop(
            source: source,
            clock: ContinuousClock(),
            holdoff: configuration.holdoff,
            maxHoldoff: configuration.maxHoldoff
        )
        let metrics = ControlPlaneMetrics()
        let readiness = self.readiness
        let logger = self.logger
        let observer = self.observer
        await cancelWhenGracefulShutdown {
            let reconciler = Reconciler(options: options, routes: routes, logger: logger, requiredKinds: requiredKinds, certificates: certificates)
            await loop.run(reconciler: reconciler) { publication in
                metrics.record(publication)
                observer?(publication)
                if !readiness.isReady, !readiness.isDraining {
                    logger.info(
                        "first routing table published",
                        metadata: [
                            "generation": "\(publication.generation)", "errors": "\(publication.errorCount)",
                            "ingresses": "\(publication.ingressCount)", "build": "\(publication.buildDuration)",
                        ]
                    )
                    if publication.ingressCount == 0 {
                        logger.warning(
                            "no Ingress of class \"\(options.ingressClass)\" found: requests get 404 (or the default backend) until one is applied; check spec.ingressClassName"
                        )
                    }
                    readiness.markReady()
                } else {
                    logger.debug(
                        "routing table published",
                        metadata: [
                            "generation": "\(publication.generation)", "endpointsOnly": "\(publication.endpointsOnly)",
                            "build": "\(publication.buildDuration)",
                        ])
                }
            }
        }
    }
}
