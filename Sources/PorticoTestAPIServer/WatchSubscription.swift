/// One open watch: its filter and the way to reach its connection.
///
/// `deliver` only enqueues onto the connection's event loop. The server calls it while holding
/// its lock, so every watch receives events in resourceVersion order, and the events a watch
/// replays from history when it opens never overlap or miss the live ones.
struct WatchSubscription: Sendable {
    var id: Int
    var type: ResourceType
    var namespace: String?
    var labelSelector: Selector
    var fieldSelector: Selector
    var allowBookmarks: Bool
    var deliver: @Sendable (WatchMessage) -> Void

    /// The event this watch sees for a write, if any. A modification that moves an object into
    /// or out of the selectors is seen as ADDED or DELETED, as the real server does.
    func message(for event: StoredEvent) -> WatchMessage? {
        guard event.type == type else { return nil }
        if let namespace, type.namespaced, event.key.namespace != namespace { return nil }
        let now = matches(event.object)
        let before = event.previous.map(matches) ?? false
        switch (event.kind, before, now) {
        case (.added, _, true): return .event(type: "ADDED", object: event.object)
        case (.modified, true, true): return .event(type: "MODIFIED", object: event.object)
        case (.modified, false, true): return .event(type: "ADDED", object: event.object)
        case (.modified, true, false): return .event(type: "DELETED", object: event.object)
        case (.deleted, _, true): return .event(type: "DELETED", object: event.object)
        default: return nil
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        labelSelector.matches(object.labels) && fieldSelector.matches(object.fieldValues(fieldSelector.keys))
    }
}
