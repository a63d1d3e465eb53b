/// One object of a kind Portico reads. A closed enum rather than a protocol existential so that
/// stores and events stay plain `Sendable` values that switch exhaustively.
public enum Resource: Hashable, Sendable {
    case ingress(Ingress)
    case ingressClass(IngressClass)
    case service(Service)
    case endpointSlice(EndpointSlice)
    case endpoints(Endpoints)
    case secret(Secret)
    case configMap(ConfigMap)

    public var kind: ResourceKind {
        switch self {
        case .ingress: .ingress
        case .ingressClass: .ingressClass
        case .service: .service
        case .endpointSlice: .endpointSlice
        case .endpoints: .endpoints
        case .secret: .secret
        case .configMap: .configMap
        }
    }

    public var metadata: ObjectMeta {
        switch self {
        case .ingress(let object): object.metadata
        case .ingressClass(let object): object.metadata
        case .service(let object): object.metadata
        case .endpointSlice(let object): object.metadata
        case .endpoints(let object): object.metadata
        case .secret(let object): object.metadata
        case .configMap(let object): object.metadata
        }
    }

    /// The object's key, with the namespace defaulted to `default` for namespaced kinds and
    /// empty for cluster-scoped ones.
    public var key: ObjectKey {
        let meta = metadata
        let namespace = kind.isNamespaced ? (meta.namespace ?? "default") : ""
        return ObjectKey(kind: kind, namespace: namespace, name: meta.name ?? "")
    }
}

/// A resource together with where it came from.
public struct SourcedResource: Hashable, Sendable {
    public var resource: Resource
    public var origin: Origin

    public init(_ resource: Resource, origin: Origin) {
        self.resource = resource
        self.origin = origin
    }

    public var key: ObjectKey { resource.key }
}
