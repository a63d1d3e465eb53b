public import PorticoModel

/// All current objects, with the typed indexes translation needs.
///
/// The indexes keep translation linear: 10,000 Ingresses referring to 10,000 Services cost one
/// hash probe per reference, where a scan per reference would be quadratic. They are kept up to
/// date one object at a time (`upsert`, `remove`), so that a reconciler holding a snapshot pays
/// for what changed rather than re-indexing the whole store on every change.
public struct ResourceSnapshot: Sendable {
    public private(set) var objects: [ObjectKey: SourcedResource] = [:]
    /// Every Ingress by key, in no order: translation orders them by precedence.
    public private(set) var ingresses: [ObjectKey: SourcedObject<Ingress>] = [:]
    /// IngressClasses by name (they are cluster-scoped).
    public private(set) var ingressClasses: [String: SourcedObject<IngressClass>] = [:]
    public private(set) var services: [NamespacedName: SourcedObject<Service>] = [:]
    /// v1 Endpoints by name (the same name as their Service).
    public private(set) var endpoints: [NamespacedName: Endpoints] = [:]
    /// Secrets by name: the certificates TLS sections refer to.
    public private(set) var secrets: [NamespacedName: SourcedObject<Secret>] = [:]
    /// Each Service's EndpointSlices, sorted by slice name.
    private var slicesByService: [NamespacedName: ServiceSlices] = [:]

    /// Slices and their names in parallel, so that a lookup hands out `slices` as it is.
    private struct ServiceSlices {
        var names: [String] = []
        var slices: [EndpointSlice] = []
    }

    public init() {}

    /// Indexes `objects`. An object is filed under its dictionary key, which the sources derive
    /// from its metadata (namespace defaulted to `default`).
    public init(_ objects: [ObjectKey: SourcedResource]) {
        for (key, object) in objects { upsert(object, at: key) }
    }

    /// Indexes a list of objects; when two share a key, the later one wins.
    public init(_ resources: some Sequence<SourcedResource>) {
        for resource in resources { upsert(resource) }
    }

    /// Adds `object` under its key, replacing what was there.
    public mutating func upsert(_ object: SourcedResource) {
        upsert(object, at: object.key)
    }

    /// Drops the object under `key`, if any.
    public mutating func remove(_ key: ObjectKey) {
        guard let old = objects.removeValue(forKey: key) else { return }
        unindex(old, at: key)
    }

    private mutating func upsert(_ object: SourcedResource, at key: ObjectKey) {
        if let old = objects.updateValue(object, forKey: key) { unindex(old, at: key) }
        switch object.resource {
        case .ingress(let ingress):
            ingresses[key] = SourcedObject(key: key, object: ingress, origin: object.origin)
        case .ingressClass(let ingressClass):
            ingressClasses[key.name.name] = SourcedObject(key: key, object: ingressClass, origin: object.origin)
        case .service(let service):
            services[key.name] = SourcedObject(key: key, object: service, origin: object.origin)
        case .endpoints(let endpoints):
            self.endpoints[key.name] = endpoints
        case .endpointSlice(let slice):
            guard let service = Self.service(of: slice, at: key) else { return }
            var list = slicesByService[service, default: ServiceSlices()]
            let index = list.names.firstIndex { $0 > key.name.name } ?? list.names.endIndex
            list.names.insert(key.name.name, at: index)
            list.slices.insert(slice, at: index)
            slicesByService[service] = list
        case .secret(let secret):
            secrets[key.name] = SourcedObject(key: key, object: secret, origin: object.origin)
        case .configMap:
            return
        }
    }

    /// Takes `old`, which was filed under `key`, out of the typed indexes.
    private mutating func unindex(_ old: SourcedResource, at key: ObjectKey) {
        switch old.resource {
        case .ingress: ingresses.removeValue(forKey: key)
        case .ingressClass: ingressClasses.removeValue(forKey: key.name.name)
        case .service: services.removeValue(forKey: key.name)
        case .endpoints: endpoints.removeValue(forKey: key.name)
        case .endpointSlice(let slice):
            guard let service = Self.service(of: slice, at: key), var list = slicesByService[service],
                let index = list.names.firstIndex(of: key.name.name)
            else { return }
            list.names.remove(at: index)
            list.slices.remove(at: index)
            slicesByService[service] = list.names.isEmpty ? nil : list
        case .secret: secrets.removeValue(forKey: key.name)
        case .configMap: return
        }
    }

    /// The Service a slice belongs to: its `kubernetes.io/service-name` label, in its namespace.
    private static func service(of slice: EndpointSlice, at key: ObjectKey) -> NamespacedName? {
        guard let service = slice.metadata.labels?[EndpointSlice.serviceNameLabel] else { return nil }
        return NamespacedName(namespace: key.name.namespace, name: service)
    }

    /// The EndpointSlices labelled `kubernetes.io/service-name: <service>` in its namespace,
    /// sorted by slice name.
    public func endpointSlices(forService service: NamespacedName) -> [EndpointSlice] {
        slicesByService[service]?.slices ?? []
    }

    /// The ports of the Service of that name (empty when it lists none), or nil when there is
    /// no such Service: what backends and clusters resolve against. Read in place rather than
    /// copying the whole Service out, since translation asks once for every cluster of the
    /// table.
    public func servicePorts(_ name: NamespacedName) -> [Service.Port]? {
        guard let service = services[name] else { return nil }
        return service.object.spec?.ports ?? []
    }
}
