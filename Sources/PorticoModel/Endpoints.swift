/// core/v1 Endpoints: the older form of EndpointSlice, read only when a Service has no slices.
public struct Endpoints: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var subsets: [Subset]?

    public init(metadata: ObjectMeta, subsets: [Subset]? = nil) {
        self.apiVersion = "v1"
        self.kind = "Endpoints"
        self.metadata = metadata
        self.subsets = subsets
    }

    public struct Subset: Codable, Hashable, Sendable {
        public var addresses: [Address]?
        public var notReadyAddresses: [Address]?
        public var ports: [Port]?

        public init(addresses: [Address]? = nil, notReadyAddresses: [Address]? = nil, ports: [Port]? = nil) {
            self.addresses = addresses
            self.notReadyAddresses = notReadyAddresses
            self.ports = ports
        }
    }

    public struct Address: Codable, Hashable, Sendable {
        public var ip: String
        public var hostname: String?

        public init(ip: String, hostname: String? = nil) {
            self.ip = ip
            self.hostname = hostname
        }
    }

    public struct Port: Codable, Hashable, Sendable {
        public var name: String?
        public var port: Int
        public var `protocol`: String?

        public init(name: String? = nil, port: Int, protocol: String? = nil) {
            self.name = name
            self.port = port
            self.protocol = `protocol`
        }
    }
}
