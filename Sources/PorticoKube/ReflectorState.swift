public import PorticoModel

/// What a reflector has delivered, and the decisions that follow from a list or a watch event.
/// Pure: the reflector does the I/O and this value decides what to emit, so that "nothing lost,
/// nothing applied twice" is tested without a network.
///
/// It remembers the resourceVersion delivered for every key. A watch event whose object has the
/// version already delivered is dropped (a resumed watch can repeat the event it stopped at);
/// a relist emits only differences: upserts for new or changed versions and deletes for keys
/// that vanished while the watch was down.
public struct ReflectorState: Sendable {
    public let kind: ResourceKind
    /// Key → resourceVersion delivered (empty when the object carried none).
    public private(set) var delivered: [ObjectKey: String] = [:]
    /// Where the next watch starts: the list's resourceVersion, then the last event's or
    /// bookmark's. Nil until the first list.
    public private(set) var resourceVersion: String?
    /// Whether a list has completed since the reflector started.
    public private(set) var hasListed = false

    public init(kind: ResourceKind) {
        self.kind = kind
    }

    /// What a watch event means for the reflector.
    public enum WatchOutcome: Equatable, Sendable {
        /// Emit these (possibly none, for a bookmark or a repeat) and keep watching.
        case emit([ResourceEvent])
        /// The resourceVersion is gone (410): list again.
        case relist
        /// The server ended the watch with another error; resume after a backoff.
        case failed(APIStatus)
    }

    /// A complete list: the events that bring the consumer from what it was given to `items`,
    /// followed by `.synced`. Items without a key cannot be tracked and are reported each time.
    public mutating func listed(_ items: [ReflectedItem], resourceVersion: String?) -> [ResourceEvent] {
        var events: [ResourceEvent] = []
        var seen: [ObjectKey: String] = [:]
        for item in items {
            guard let key = item.key else {
                events.append(item.event)
                continue
            }
            let version = item.resourceVersion ?? ""
            seen[key] = version
            if delivered[key] != version || version.isEmpty {
                events.append(item.event)
            }
        }
        for key in delivered.keys.sorted() where seen[key] == nil {
            events.append(.deleted(key))
        }
        delivered = seen
        if let resourceVersion, !resourceVersion.isEmpty {
            self.resourceVersion = resourceVersion
        }
        hasListed = true
        events.append(.synced([kind]))
        return events
    }

    /// One watch event with its object already wrapped (`WatchEvent` needs a decodable object).
    public enum WatchChange: Hashable, Sendable {
        case upserted(ReflectedItem)
        case deleted(ReflectedItem)
        case bookmark(resourceVersion: String)
        case error(APIStatus)

        public init<Object: Decodable & Sendable>(_ event: WatchEvent<Lenient<Object>>, kind: ResourceKind, wrap: (Object) -> Resource) {
            switch event {
            case .added(let item), .modified(let item): self = .upserted(ReflectedItem(item, kind: kind, wrap: wrap))
            case .deleted(let item): self = .deleted(ReflectedItem(item, kind: kind, wrap: wrap))
            case .bookmark(let version): self = .bookmark(resourceVersion: version)
            case .error(let status): self = .error(status)
            }
        }
    }

    public mutating func received(_ change: WatchChange) -> WatchOutcome {
        switch change {
        case .upserted(let item):
            advance(to: item.resourceVersion)
            guard let key = item.key else { return .emit([item.event]) }
            let version = item.resourceVersion ?? ""
            if !version.isEmpty, delivered[key] == version { return .emit([]) }
            delivered[key] = version
            return .emit([item.event])
        case .deleted(let item):
            advance(to: item.resourceVersion)
            guard let key = item.key, delivered.removeValue(forKey: key) != nil else { return .emit([]) }
            return .emit([.deleted(key)])
        case .bookmark(let version):
            advance(to: version)
            return .emit([])
        case .error(let status):
            return status.code == 410 ? .relist : .failed(status)
        }
    }

    private mutating func advance(to version: String?) {
        if let version, !version.isEmpty { resourceVersion = version }
    }
}
