/// One REST resource the server serves: where it lives in the URL space and how its objects and
/// lists are named on the wire.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group (served under `/api/v1`).
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    /// Whether a `/status` subresource exists; then a PUT of the main resource keeps the stored
    /// `.status` and a PUT of `/status` changes only `.status`, as the real server does.
    public var hasStatus: Bool

    public init(
        group: String,
        version: String,
        plural: String,
        kind: String,
        listKind: String? = nil,
        namespaced: Bool = true,
        hasStatus: Bool = false
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.listKind = listKind ?? kind + "List"
        self.namespaced = namespaced
        self.hasStatus = hasStatus
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `ingresses.networking.k8s.io`, or `services` for the core group, as messages name it.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public var description: String { qualifiedName }

    public static let services = ResourceType(group: "", version: "v1", plural: "services", kind: "Service", hasStatus: true)
    public static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret")
    public static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap")
    public static let events = ResourceType(group: "", version: "v1", plural: "events", kind: "Event")
    public static let endpoints = ResourceType(group: "", version: "v1", plural: "endpoints", kind: "Endpoints")
    public static let namespaces = ResourceType(
        group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false, hasStatus: true
    )
    public static let ingresses = ResourceType(
        group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress", hasStatus: true
    )
    public static let ingressClasses = ResourceType(
        group: "networking.k8s.io", version: "v1", plural: "ingressclasses", kind: "IngressClass", namespaced: false
    )
    public static let endpointSlices = ResourceType(
        group: "discovery.k8s.io", version: "v1", plural: "endpointslices", kind: "EndpointSlice"
    )
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease")
    public static let eventsV1 = ResourceType(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event")

    /// The types every server starts with.
    public static let builtIn: [ResourceType] = [
        .services, .secrets, .configMaps, .events, .endpoints, .namespaces,
        .ingresses, .ingressClasses, .endpointSlices, .leases, .eventsV1,
    ]
}
