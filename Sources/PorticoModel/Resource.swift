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
///
/// A final class rather than a struct: stores, diffs and snapshots of a large cluster hold and
/// move tens of thousands of these, and a struct the size of the largest resource made every
/// such move a copy of a few hundred bytes and a retain of each of its strings. Shared and
/// immutable, one is moved with one retain, and two reads of an unchanged file compare equal
/// by identity before any field is looked at.
public final class SourcedResource: Hashable, Sendable {
    public let resource: Resource
    public let origin: Origin
    /// Computed once: every store, diff and index files the object under it.
    public let key: ObjectKey

    public init(_ resource: Resource, origin: Origin) {
        self.resource = resource
        self.origin = origin
        self.key = resource.key
    }

    public static func == (lhs: SourcedResource, rhs: SourcedResource) -> Bool {
        lhs === rhs || (lhs.origin == rhs.origin && lhs.resource == rhs.resource)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(resource)
        hasher.combine(origin)
    }
}
