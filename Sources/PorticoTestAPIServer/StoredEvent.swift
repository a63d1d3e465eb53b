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
