/// Names an upstream cluster: one port of one Service, as `namespace/service:port`. The proxy
/// keys its per-cluster state (balancer cursor, pools) by it and translation collects a set of
/// them from every route, so its key is hashed once, when it is made, and hashing it again
/// feeds one integer.
///
/// The names live in one shared box: a copy is one reference, not four strings, which matters
/// because every route, candidate and table entry of a 10,000-Ingress table holds one, and two
/// copies of the same box compare equal without reading their strings.
public struct ClusterID: Hashable, Sendable, Comparable, CustomStringConvertible {
    private let names: Names

    public init(namespace: String, service: String, port: String) {
        self.names = Names(namespace: namespace, service: service, port: port)
    }

    public var namespace: String { names.namespace }
    public var service: String { names.service }
    /// The Service port as the Ingress named it: a number or a port name.
    public var port: String { names.port }
    public var description: String { names.key }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.names === rhs.names || (lhs.names.keyHash == rhs.names.keyHash && lhs.names.key == rhs.names.key)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(names.keyHash) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.names.key < rhs.names.key }

    private final class Names: Sendable {
        let namespace: String
        let service: String
        let port: String
        let key: String
        let keyHash: Int

        init(namespace: String, service: String, port: String) {
            self.namespace = namespace
            self.service = service
            self.port = port
            self.key = "\(namespace)/\(service):\(port)"
            self.keyHash = key.hashValue
        }
    }
}

/// One upstream address. `host` is an IP literal (EndpointSlices carry addresses, not names).
///
/// The host's hash is worked out once, when the endpoint is made, as `ClusterID` does: the
/// proxy's connection pool looks an endpoint up twice a request (taking and returning a
/// connection), and hashing the host string each time cost about 300 instructions.
public struct Endpoint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let host: String
    public let port: Int
    private let hostHash: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
        self.hostHash = host.hashValue
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.port == rhs.port && lhs.hostHash == rhs.hostHash && lhs.host == rhs.host
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hostHash)
        hasher.combine(port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.host, lhs.port) < (rhs.host, rhs.port) }
}

/// What the proxy needs to know about a cluster besides its endpoints.
public struct Cluster: Hashable, Sendable {
    public let id: ClusterID
    /// Whether the Service exists. A route to a missing Service answers 503 (and translation
    /// reports it), the same answer as a Service with no ready endpoints.
    public let serviceExists: Bool
    /// How to speak to the endpoints: from the Service port's `appProtocol` or the Ingress
    /// annotation `portico.dev/backend-protocol`.
    public let upstream: UpstreamProtocol

    public init(id: ClusterID, serviceExists: Bool = true, upstream: UpstreamProtocol = .http1) {
        self.id = id
        self.serviceExists = serviceExists
        self.upstream = upstream
    }
}
