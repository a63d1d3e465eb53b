public import PorticoModel

/// Which objects a cluster-mode controller reads: Ingresses (all namespaces or one), every
/// IngressClass, Services, EndpointSlices, TLS Secrets, and the named ConfigMaps.
public struct ClusterScope: Hashable, Sendable {
    /// Nil watches all namespaces (`--watch-namespace` narrows it to one).
    public var watchNamespace: String?
    /// ConfigMaps read by name (the controller's `--configmap`); each gets its own reflector
    /// with a `metadata.name` field selector, so no other ConfigMap is read.
    public var configMaps: [NamespacedName]
    /// Services outside `watchNamespace` that are needed anyway (the `--publish-service`),
    /// each read by name.
    public var extraServices: [NamespacedName]

    public init(watchNamespace: String? = nil, configMaps: [NamespacedName] = [], extraServices: [NamespacedName] = []) {
        self.watchNamespace = watchNamespace
        self.configMaps = configMaps
        self.extraServices = extraServices
    }

    /// The kinds a source with this scope delivers: the reconciler waits for all of them.
    public var kinds: Set<ResourceKind> {
        var kinds: Set<ResourceKind> = [.ingress, .ingressClass, .service, .endpointSlice, .secret]
        if !configMaps.isEmpty { kinds.insert(.configMap) }
        return kinds
    }

    /// The field selector that keeps only TLS Secrets: other Secrets are never transferred.
    public static let tlsSecretSelector = "type=\(Secret.tlsType)"
}
