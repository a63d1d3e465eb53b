/// One write in the server's history, as watchers replay it.
struct StoredEvent: Sendable {
    enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    var resourceVersion: Int
    var type: ResourceType
    var kind: Kind
    var key: StoreKey
    /// The object after the write; for a deletion, the last state stamped with the deletion's
    /// resourceVersion, as the real server sends it.
    var object: JSONValue
    /// The object before the write (nil for a creation): selector transitions and list snapshots
    /// at an older resourceVersion are computed from it.
    var previous: JSONValue?
}

/// Where an object is stored: its namespace (empty for cluster-scoped kinds) and name. Sorted
/// the way etcd returns keys, so list order and paging are stable.
struct StoreKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
