public import PorticoModel

/// All current objects, with the typed indexes translation needs built once.
///
/// Building the indexes here, rather than scanning `objects` per Ingress or per backend, keeps
/// translation linear: 10,000 Ingresses referring to 10,000 Services cost one pass over the
/// objects plus one hash probe per reference, where a scan per reference would be quadratic.
public struct ResourceSnapshot: Sendable {
    public let objects: [ObjectKey: SourcedResource]
    /// Every Ingress, sorted by key.
    public let ingresses: [SourcedObject<Ingress>]
    /// IngressClasses by name (they are cluster-scoped).
    public let ingressClasses: [String: SourcedObject<IngressClass>]
    public let services: [NamespacedName: SourcedObject<Service>]
    /// v1 Endpoints by name (the same name as their Service).
    public let endpoints: [NamespacedName: Endpoints]
    /// Secrets by name: the certificates TLS sections refer to.
    public let secrets: [NamespacedName: SourcedObject<Secret>]
    private let slicesByService: [NamespacedName: [EndpointSlice]]

    /// Indexes `objects`. An object is filed under its dictionary key, which the sources derive
    /// from its metadata (namespace defaulted to `default`).
    public init(_ objects: [ObjectKey: SourcedResource]) {
        self.objects = objects
        var ingresses: [SourcedObject<Ingress>] = []
        var ingressClasses: [String: SourcedObject<IngressClass>] = [:]
        var services: [NamespacedName: SourcedObject<Service>] = [:]
        var endpoints: [NamespacedName: Endpoints] = [:]
        var secrets: [NamespacedName: SourcedObject<Secret>] = [:]
        var slices: [NamespacedName: [(name: String, slice: EndpointSlice)]] = [:]
        for (key, sourced) in objects {
            switch sourced.resource {
            case .ingress(let ingress):
                ingresses.append(SourcedObject(key: key, object: ingress, origin: sourced.origin))
            case .ingressClass(let ingressClass):
                ingressClasses[key.name.name] = SourcedObject(key: key, object: ingressClass, origin: sourced.origin)
            case .service(let service):
                services[key.name] = SourcedObject(key: key, object: service, origin: sourced.origin)
            case .endpoints(let object):
                endpoints[key.name] = object
            case .endpointSlice(let slice):
                guard let service = slice.metadata.labels?[EndpointSlice.serviceNameLabel] else { continue }
                slices[NamespacedName(namespace: key.name.namespace, name: service), default: []]
                    .append((key.name.name, slice))
            case .secret(let secret):
                secrets[key.name] = SourcedObject(key: key, object: secret, origin: sourced.origin)
            case .configMap:
                continue
            }
        }
        ingresses.sort { $0.key < $1.key }
        self.ingresses = ingresses
        self.ingressClasses = ingressClasses
        self.services = services
        self.endpoints = endpoints
        self.secrets = secrets
        self.slicesByService = slices.mapValues { list in list.sorted { $0.name < $1.name }.map(\.slice) }
    }

    /// Indexes a list of objects; when two share a key, the later one wins.
    public init(_ resources: some Sequence<SourcedResource>) {
        var objects: [ObjectKey: SourcedResource] = [:]
        for resource in resources { objects[resource.key] = resource }
        self.init(objects)
    }

    /// The EndpointSlices labelled `kubernetes.io/service-name: <service>` in its namespace,
    /// sorted by slice name.
    public func endpointSlices(forService service: NamespacedName) -> [EndpointSlice] {
        slicesByService[service] ?? []
    }

    /// The Service of that name, or nil: what a backend reference resolves against.
    public func service(_ name: NamespacedName) -> Service? {
        services[name]?.object
    }
}
