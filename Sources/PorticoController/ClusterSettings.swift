public import PorticoKube
public import PorticoModel

/// Cluster mode: where the API server is, what to watch, where to publish status, and how to
/// elect the replica that writes it.
public struct ClusterSettings: Sendable, Equatable {
    /// How to reach the API server.
    public enum Connection: Sendable, Equatable {
        /// A kubeconfig file (`--kubeconfig`), with an optional context (`--context`).
        case kubeconfig(path: String, context: String?)
        /// The pod's service account (`KUBERNETES_SERVICE_HOST`, the mounted token and CA).
        case inCluster
    }

    public var connection: Connection
    /// `--watch-namespace`: nil watches every namespace.
    public var watchNamespace: String?
    /// `--configmap`: the controller's ConfigMap of global settings.
    public var configMap: NamespacedName?
    /// `--publish-service`: the Service whose load-balancer status becomes the Ingresses' status.
    public var publishService: NamespacedName?
    /// `--publish-status-address`: addresses (IPs or host names) written as the Ingresses'
    /// status instead; takes precedence over `publishService`.
    public var publishStatusAddresses: [String]
    /// `--election-id`: the name of the Lease replicas elect a leader with.
    public var electionID: String
    /// The namespace of the Lease: `POD_NAMESPACE`, else that of `--configmap`, else `default`.
    public var electionNamespace: String
    /// This replica's name in the Lease and in Events (`POD_NAME`, else host name and a suffix).
    public var identity: String
    public var reflectorTiming: ReflectorTiming
    public var electionTiming: LeaderElectionTiming
    /// Event posts per second at most, with bursts of `eventBurst`.
    public var eventsPerSecond: Double
    public var eventBurst: Int

    public static let defaultElectionID = "portico-leader"

    public init(
        connection: Connection,
        watchNamespace: String? = nil,
        configMap: NamespacedName? = nil,
        publishService: NamespacedName? = nil,
        publishStatusAddresses: [String] = [],
        electionID: String = ClusterSettings.defaultElectionID,
        electionNamespace: String = "default",
        identity: String,
        reflectorTiming: ReflectorTiming = ReflectorTiming(),
        electionTiming: LeaderElectionTiming = LeaderElectionTiming(),
        eventsPerSecond: Double = 5,
        eventBurst: Int = 25
    ) {
        self.connection = connection
        self.watchNamespace = watchNamespace
        self.configMap = configMap
        self.publishService = publishService
        self.publishStatusAddresses = publishStatusAddresses
        self.electionID = electionID
        self.electionNamespace = electionNamespace
        self.identity = identity
        self.reflectorTiming = reflectorTiming
        self.electionTiming = electionTiming
        self.eventsPerSecond = eventsPerSecond
        self.eventBurst = eventBurst
    }

    /// What the reflectors read (Bootstrap adds the `--tcp-services-configmap`).
    public var scope: ClusterScope {
        ClusterScope(
            watchNamespace: watchNamespace,
            configMaps: configMap.map { [$0] } ?? [],
            extraServices: publishService.map { [$0] } ?? []
        )
    }

    /// This replica's identity: `POD_NAME`, else the host name with a random suffix.
    public static func identity(environment: [String: String]) -> String {
        LeaderElector.identity(environment: environment)
    }

    /// The namespace of the Lease when no `POD_NAMESPACE` is known.
    public static func electionNamespace(environment: [String: String], configMap: NamespacedName?) -> String {
        if let namespace = environment["POD_NAMESPACE"], !namespace.isEmpty { return namespace }
        return configMap?.namespace ?? "default"
    }
}
