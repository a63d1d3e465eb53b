public import PorticoProxy
public import PorticoRouting

/// Everything a Portico process needs to run, validated by the executable before `Bootstrap`
/// turns it into services.
public struct Configuration: Sendable {
    /// Where resources come from.
    public enum Source: Sendable, Equatable {
        /// Local mode: a folder of manifests, watched for changes.
        case manifests(directory: String)
        /// Cluster mode: the Kubernetes API, watched through reflectors.
        case cluster(ClusterSettings)
    }

    public var source: Source
    public var proxy: ProxyConfiguration
    public var admin: AdminServer.Configuration
    public var translation: TranslationOptions
    /// Coalescing of bursts of changes before a publish (see `Coalescer`).
    public var holdoff: Duration
    public var maxHoldoff: Duration
    /// How long listeners keep accepting after the first SIGTERM/SIGINT while `/readyz` already
    /// answers 503 (see `ShutdownDrain`); then requests in flight get
    /// `proxy.shutdownGracePeriod`. Zero (the default here; the executable's is 5 s) stops
    /// accepting at once.
    public var shutdownDrainDelay: Duration = .zero

    /// The ports of Portico's own listeners (HTTP, HTTPS, admin), which TCP services cannot
    /// take; port 0 (any free port) is left out.
    public var listenerPorts: Set<Int> {
        Set([proxy.httpPort, proxy.httpsPort ?? 0, admin.port].filter { $0 != 0 })
    }

    public init(
        source: Source,
        proxy: ProxyConfiguration = ProxyConfiguration(),
        admin: AdminServer.Configuration = AdminServer.Configuration(),
        translation: TranslationOptions = TranslationOptions(),
        holdoff: Duration = .milliseconds(100),
        maxHoldoff: Duration = .seconds(1)
    ) {
        self.source = source
        self.proxy = proxy
        self.admin = admin
        self.translation = translation
        self.holdoff = holdoff
        self.maxHoldoff = maxHoldoff
    }
}
