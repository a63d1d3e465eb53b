/// The kinds Portico reads. The raw value is the `kind` field as written in manifests.
public enum ResourceKind: String, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
    case ingress = "Ingress"
    case ingressClass = "IngressClass"
    case service = "Service"
    case endpointSlice = "EndpointSlice"
    case endpoints = "Endpoints"
    case secret = "Secret"
    case configMap = "ConfigMap"

    /// Whether objects of this kind live in a namespace (IngressClass is cluster-scoped).
    public var isNamespaced: Bool { self != .ingressClass }

    /// The apiVersions accepted for this kind; other versions of a known kind are reported.
    public var apiVersions: Set<String> {
        switch self {
        case .ingress, .ingressClass: ["networking.k8s.io/v1"]
        case .endpointSlice: ["discovery.k8s.io/v1"]
        case .service, .endpoints, .secret, .configMap: ["v1"]
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// The identity of one object across updates: its kind plus namespace/name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: ResourceKind
    public var name: NamespacedName

    public init(kind: ResourceKind, name: NamespacedName) {
        self.kind = kind
        self.name = name
    }

    public init(kind: ResourceKind, namespace: String, name: String) {
        self.init(kind: kind, name: NamespacedName(namespace: namespace, name: name))
    }

    /// `Ingress default/web`, or `IngressClass portico` for a cluster-scoped kind.
    public var description: String { "\(kind) \(name)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}
