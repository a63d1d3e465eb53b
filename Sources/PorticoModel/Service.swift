/// core/v1 Service: a backend's ports, and where a published load balancer lives.
public struct Service: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.apiVersion = "v1"
        self.kind = "Service"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var type: String?
        public var clusterIP: String?
        public var ports: [Port]?
        public var selector: [String: String]?
        public var externalName: String?

        public init(
            type: String? = nil,
            clusterIP: String? = nil,
            ports: [Port]? = nil,
            selector: [String: String]? = nil,
            externalName: String? = nil
        ) {
            self.type = type
            self.clusterIP = clusterIP
            self.ports = ports
            self.selector = selector
            self.externalName = externalName
        }
    }

    public struct Port: Codable, Hashable, Sendable {
        public var name: String?
        public var `protocol`: String?
        public var appProtocol: String?
        public var port: Int
        public var targetPort: IntOrString?

        public init(
            name: String? = nil,
            protocol: String? = nil,
            appProtocol: String? = nil,
            port: Int,
            targetPort: IntOrString? = nil
        ) {
            self.name = name
            self.protocol = `protocol`
            self.appProtocol = appProtocol
            self.port = port
            self.targetPort = targetPort
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var loadBalancer: LoadBalancerStatus?

        public init(loadBalancer: LoadBalancerStatus? = nil) {
            self.loadBalancer = loadBalancer
        }
    }
}
