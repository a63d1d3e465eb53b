/// A core/v1 Event: how Portico tells an application team, in `kubectl describe ingress`, that
/// part of their Ingress was rejected and why. Named apart from `ResourceEvent`, which is a
/// change notification inside Portico.
public struct KubernetesEvent: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    /// CamelCase, short: `Rejected`, `Sync`.
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var source: Source?
    public var count: Int?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(
        metadata: ObjectMeta,
        involvedObject: ObjectReference,
        reason: String? = nil,
        message: String? = nil,
        type: String? = nil,
        source: Source? = nil,
        count: Int? = nil,
        firstTimestamp: String? = nil,
        lastTimestamp: String? = nil,
        reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.apiVersion = "v1"
        self.kind = "Event"
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.source = source
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }

    public struct ObjectReference: Codable, Hashable, Sendable {
        public var apiVersion: String?
        public var kind: String?
        public var namespace: String?
        public var name: String?
        public var uid: String?
        public var resourceVersion: String?

        public init(
            apiVersion: String? = nil,
            kind: String? = nil,
            namespace: String? = nil,
            name: String? = nil,
            uid: String? = nil,
            resourceVersion: String? = nil
        ) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    public struct Source: Codable, Hashable, Sendable {
        public var component: String?
        public var host: String?

        public init(component: String? = nil, host: String? = nil) {
            self.component = component
            self.host = host
        }
    }
}
