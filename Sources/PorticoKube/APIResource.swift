/// A resource collection of the Kubernetes API (group, version, plural) and how to build its
/// URL paths, so callers never assemble `/apis/...` strings by hand.
public struct APIResource: Hashable, Sendable, CustomStringConvertible {
    /// Empty for the core group (`/api/v1`).
    public let group: String
    public let version: String
    /// The URL segment: `ingresses`, `endpointslices`.
    public let plural: String
    public let kind: String
    public let isNamespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, isNamespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.isNamespaced = isNamespaced
    }

    /// `v1` or `networking.k8s.io/v1`, as in an object's `apiVersion`.
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `ingresses.networking.k8s.io`, as RBAC messages and `kubectl auth can-i` name it.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The URL path of the collection (`name` nil) or of one object, optionally a subresource.
    /// A nil namespace on a namespaced resource means all namespaces (list and watch only).
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if isNamespaced, let namespace {
            path += "/namespaces/\(namespace)"
        }
        path += "/\(plural)"
        if let name {
            path += "/\(name)"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    public static let ingresses = APIResource(group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress", isNamespaced: true)
    public static let ingressClasses = APIResource(group: "networking.k8s.io", version: "v1", plural: "ingressclasses", kind: "IngressClass", isNamespaced: false)
    public static let services = APIResource(group: "", version: "v1", plural: "services", kind: "Service", isNamespaced: true)
    public static let endpointSlices = APIResource(group: "discovery.k8s.io", version: "v1", plural: "endpointslices", kind: "EndpointSlice", isNamespaced: true)
    public static let secrets = APIResource(group: "", version: "v1", plural: "secrets", kind: "Secret", isNamespaced: true)
    public static let configMaps = APIResource(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", isNamespaced: true)
    public static let leases = APIResource(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", isNamespaced: true)
    public static let events = APIResource(group: "", version: "v1", plural: "events", kind: "Event", isNamespaced: true)
}
