/// The subset of `metadata` Portico reads. Every field is optional because manifests written by
/// hand omit most of them; defaulting (such as the `default` namespace) is the caller's job.
public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    /// RFC 3339 as the API server writes it (`2024-01-02T03:04:05Z`); kept as text because the
    /// only use is ordering, and the API server's fixed UTC format orders as text.
    public var creationTimestamp: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(
        name: String? = nil,
        namespace: String? = nil,
        uid: String? = nil,
        resourceVersion: String? = nil,
        generation: Int64? = nil,
        creationTimestamp: String? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.labels = labels
        self.annotations = annotations
    }

    /// The object's identity with the namespace defaulted as kubectl does for namespaced kinds.
    public func namespacedName(defaultNamespace: String = "default") -> NamespacedName {
        NamespacedName(namespace: namespace ?? defaultNamespace, name: name ?? "")
    }
}
