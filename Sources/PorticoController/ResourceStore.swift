public import PorticoModel

/// The reconciler's in-memory copy of every object a source has delivered.
///
/// `apply` answers what a change means for the routing table, so that the reconciler can skip
/// no-ops, take the endpoints fast path, or retranslate, without inspecting events itself.
public struct ResourceStore: Sendable {
    public private(set) var objects: [ObjectKey: SourcedResource] = [:]

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

    public init(objects: [ObjectKey: SourcedResource] = [:]) {
        self.objects = objects
    }

    public mutating func upsert(_ object: SourcedResource) -> Change {
        let key = object.key
        if objects[key] == object { return .none }
        objects[key] = object
        return Self.change(for: key.kind)
    }

    public mutating func delete(_ key: ObjectKey) -> Change {
        guard objects.removeValue(forKey: key) != nil else { return .none }
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
