/// discovery.k8s.io/v1 EndpointSlice: the ready addresses behind a Service, in one of
/// possibly several slices labelled with `kubernetes.io/service-name`.
public struct EndpointSlice: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var addressType: String?
    public var endpoints: [Endpoint]?
    public var ports: [Port]?

    public init(
        metadata: ObjectMeta,
        addressType: String? = "IPv4",
        endpoints: [Endpoint]? = nil,
        ports: [Port]? = nil
    ) {
        self.apiVersion = "discovery.k8s.io/v1"
        self.kind = "EndpointSlice"
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The label that ties a slice to its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    public struct Endpoint: Codable, Hashable, Sendable {
        public var addresses: [String]
        public var conditions: Conditions?
        public var hostname: String?
        public var nodeName: String?

        public init(addresses: [String], conditions: Conditions? = nil, hostname: String? = nil, nodeName: String? = nil) {
            self.addresses = addresses
            self.conditions = conditions
            self.hostname = hostname
            self.nodeName = nodeName
        }
    }

    public struct Conditions: Codable, Hashable, Sendable {
        /// Absent means ready, as the API documents ("unknown state should be interpreted as ready").
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?

        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    public struct Port: Codable, Hashable, Sendable {
        public var name: String?
        public var port: Int?
        public var `protocol`: String?
        public var appProtocol: String?

        public init(name: String? = nil, port: Int? = nil, protocol: String? = nil, appProtocol: String? = nil) {
            self.name = name
            self.port = port
            self.protocol = `protocol`
            self.appProtocol = appProtocol
        }
    }
}
