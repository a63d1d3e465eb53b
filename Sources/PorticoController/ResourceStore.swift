public import PorticoModel
public import PorticoRouting

/// The reconciler's in-memory copy of every object a source has delivered.
///
/// `apply` answers what a change means for the routing table, so that the reconciler can skip
/// no-ops, take the endpoints fast path, or retranslate, without inspecting events itself.
///
/// The objects are kept as a `ResourceSnapshot`, indexed as each event arrives: translation
/// reads the snapshot as it stands instead of re-indexing 30,000 objects for one changed
/// Ingress.
public struct ResourceStore: Sendable {
    public private(set) var snapshot = ResourceSnapshot()

    public var objects: [ObjectKey: SourcedResource] { snapshot.objects }

    /// What applying one event changed.
    public enum Change: Equatable, Sendable {
        /// Nothing the table depends on changed (an identical object, or a delete of nothing).
        case none
        /// Only EndpointSlices or Endpoints changed: endpoints can be re-resolved without
        /// retranslating routes.
        case endpoints
        /// Something routing depends on changed.
        case routes
    }

    public init() {}

    public mutating func upsert(_ object: SourcedResource) -> Change {
        let key = object.key
        if snapshot.objects[key] == object { return .none }
        snapshot.upsert(object)
        return Self.change(for: key.kind)
    }

    public mutating func delete(_ key: ObjectKey) -> Change {
        guard snapshot.objects[key] != nil else { return .none }
        snapshot.remove(key)
        return Self.change(for: key.kind)
    }

    private static func change(for kind: ResourceKind) -> Change {
        switch kind {
        case .endpointSlice, .endpoints: .endpoints
        case .ingress, .ingressClass, .service, .secret, .configMap: .routes
        }
    }
}

extension ResourceStore.Change {
    /// The larger of two pending changes: routes subsume endpoints, which subsume nothing.
    func merged(with other: Self) -> Self {
        switch (self, other) {
        case (.routes, _), (_, .routes): .routes
        case (.endpoints, _), (_, .endpoints): .endpoints
        default: .none
        }
    }
}
