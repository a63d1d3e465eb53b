/// The one event type both resource sources produce (the API-server informer and the local
/// manifest folder), so that the reconciler cannot tell them apart.
public enum ResourceEvent: Hashable, Sendable {
    /// An object appeared, or changed. Sources need not distinguish the two.
    case upserted(SourcedResource)
    case deleted(ObjectKey)
    /// A source could not read an object it can still name (a manifest document that fails to
    /// decode, say). The reconciler keeps the last good version of `key` serving and reports.
    case rejected(ObjectKey?, SourceError)
    /// The source has delivered its complete current state for these kinds; before every kind a
    /// source serves has synced, nothing is published.
    case synced(Set<ResourceKind>)
}

/// A problem reading input, with where it is and which field, ready to show a person.
public struct SourceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var origin: Origin
    /// The field path in Kubernetes' notation (`spec.rules[0].host`), or empty for the whole document.
    public var field: String
    public var message: String

    public init(origin: Origin, field: String = "", message: String) {
        self.origin = origin
        self.field = field
        self.message = message
    }

    public var description: String {
        field.isEmpty ? "\(origin): \(message)" : "\(origin): \(field): \(message)"
    }
}
