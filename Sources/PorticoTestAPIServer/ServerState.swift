/// Everything the server knows, guarded by one lock in `TestAPIServer`: objects and history,
/// credentials, access rules, queued faults, open watches and the request log.
struct ServerState: Sendable {
    var store: ObjectStore
    /// Bearer token to user name.
    var tokens: [String: String]
    var denials: [AccessRule] = []
    var faults: [FaultRule] = []
    var delays: [DelayRule] = []
    var watches: [Int: WatchSubscription] = [:]
    var nextWatchID = 1
    var requests: [RecordedRequest] = []
    var bookmarksPaused = false
    var defaultWatchTimeout: Duration

    init(store: ObjectStore, tokens: [String: String], defaultWatchTimeout: Duration) {
        self.store = store
        self.tokens = tokens
        self.defaultWatchTimeout = defaultWatchTimeout
    }

    /// How long to hold a request before serving it, using up one matching delay rule.
    mutating func takeDelay(method: String, path: String) -> Duration? {
        guard let index = delays.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        delays[index].remaining -= 1
        let delay = delays[index].delay
        if delays[index].remaining <= 0 { delays.remove(at: index) }
        return delay
    }

    /// Sends a write's event to every watch that sees it. Called under the lock, so events
    /// reach each watch in resourceVersion order.
    func publish(_ event: StoredEvent?) {
        guard let event else { return }
        for watch in watches.values {
            if let message = watch.message(for: event) { watch.deliver(message) }
        }
    }

    /// Sends a bookmark at the current resourceVersion to every watch that asked for them,
    /// unless bookmarks are paused and `force` is false.
    func sendBookmarks(force: Bool) {
        guard force || !bookmarksPaused else { return }
        for watch in watches.values where watch.allowBookmarks {
            watch.deliver(.bookmark(watch.type, resourceVersion: store.resourceVersion))
        }
    }

    /// Ends every open watch with `message` first (if any) and forgets them.
    mutating func endWatches(clean: Bool, after message: WatchMessage? = nil) {
        for watch in watches.values {
            if let message { watch.deliver(message) }
            watch.deliver(.end(clean: clean))
        }
        watches.removeAll()
    }
}
