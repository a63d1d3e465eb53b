/// networking.k8s.io/v1 Ingress: the object application teams write to ask for routes.
public struct Ingress: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
        self.apiVersion = "networking.k8s.io/v1"
        self.kind = "Ingress"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var ingressClassName: String?
        public var defaultBackend: Backend?
        public var tls: [TLS]?
        public var rules: [Rule]?

        public init(
            ingressClassName: String? = nil,
            defaultBackend: Backend? = nil,
            tls: [TLS]? = nil,
            rules: [Rule]? = nil
        ) {
            self.ingressClassName = ingressClassName
            self.defaultBackend = defaultBackend
            self.tls = tls
            self.rules = rules
        }
    }

    public struct TLS: Codable, Hashable, Sendable {
        public var hosts: [String]?
        public var secretName: String?

        public init(hosts: [String]? = nil, secretName: String? = nil) {
            self.hosts = hosts
            self.secretName = secretName
        }
    }

    public struct Rule: Codable, Hashable, Sendable {
        public var host: String?
        public var http: HTTPRuleValue?

        public init(host: String? = nil, http: HTTPRuleValue? = nil) {
            self.host = host
            self.http = http
        }
    }

    public struct HTTPRuleValue: Codable, Hashable, Sendable {
        public var paths: [Path]

        public init(paths: [Path]) {
            self.paths = paths
        }

        /// As synthesized, but the paths are kept without spare room: a decoded array grows by
        /// doubling, so a rule of five paths held room for eight, and every path of every rule
        /// stays in memory for as long as its Ingress does (8 MB at 10,000 Ingresses).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.paths = try container.decode([Path].self, forKey: .paths).withoutSpareCapacity()
        }
    }

    public struct Path: Codable, Hashable, Sendable {
        public var path: String?
        /// `Exact`, `Prefix` or `ImplementationSpecific`; kept as text so that an unknown value
        /// reaches translation and becomes a diagnostic naming the field instead of a decode error.
        public var pathType: String?
        public var backend: Backend

        public init(path: String? = nil, pathType: String? = nil, backend: Backend) {
            self.path = path
            self.pathType = pathType
            self.backend = backend
        }
    }

    public struct Backend: Codable, Hashable, Sendable {
        public var service: ServiceBackend?
        public var resource: TypedLocalObjectReference?

        public init(service: ServiceBackend? = nil, resource: TypedLocalObjectReference? = nil) {
            self.service = service
            self.resource = resource
        }
    }

    public struct ServiceBackend: Codable, Hashable, Sendable {
        public var name: String
        public var port: ServiceBackendPort?

        public init(name: String, port: ServiceBackendPort? = nil) {
            self.name = name
            self.port = port
        }
    }

    public struct ServiceBackendPort: Codable, Hashable, Sendable {
        public var name: String?
        public var number: Int?

        public init(name: String? = nil, number: Int? = nil) {
            self.name = name
            self.number = number
        }
    }

    public struct TypedLocalObjectReference: Codable, Hashable, Sendable {
        public var apiGroup: String?
        public var kind: String
        public var name: String

        public init(apiGroup: String? = nil, kind: String, name: String) {
            self.apiGroup = apiGroup
            self.kind = kind
            self.name = name
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var loadBalancer: LoadBalancerStatus?

        public init(loadBalancer: LoadBalancerStatus? = nil) {
            self.loadBalancer = loadBalancer
        }
    }
}

/// `status.loadBalancer`, shared by Ingress and Service.
public struct LoadBalancerStatus: Codable, Hashable, Sendable {
    public var ingress: [Ingress]?

    public init(ingress: [Ingress]? = nil) {
        self.ingress = ingress
    }

    public struct Ingress: Codable, Hashable, Sendable {
        public var ip: String?
        public var hostname: String?

        public init(ip: String? = nil, hostname: String? = nil) {
            self.ip = ip
            self.hostname = hostname
        }
    }
}
