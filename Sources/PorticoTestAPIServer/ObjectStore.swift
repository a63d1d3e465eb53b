internal import Foundation

/// The objects, the global resourceVersion counter and the event history, with the write rules
/// of the real API server (etcd plus the generic registry): every write bumps one counter and
/// stamps it on the object, an unchanged update writes nothing, a stale resourceVersion is a
/// conflict. Not thread-safe; `ServerState` owns it behind a lock.
struct ObjectStore: Sendable {
    /// The result of a write: the object as stored and the event it produced (nil for an update
    /// that changed nothing).
    struct Write: Sendable {
        var object: JSONValue
        var event: StoredEvent?
    }

    private(set) var resourceVersion: Int
    /// Events up to and including this resourceVersion are no longer in the history.
    private(set) var compactedThrough: Int
    /// The most events kept; older ones are compacted, as etcd compaction does.
    var historyLimit: Int
    private(set) var history: [StoredEvent] = []
    private(set) var types: [String: ResourceType] = [:]
    private var objects: [ResourceType: [StoreKey: JSONValue]] = [:]

    init(initialResourceVersion: Int, historyLimit: Int) {
        self.resourceVersion = initialResourceVersion
        self.compactedThrough = initialResourceVersion
        self.historyLimit = max(historyLimit, 1)
        for type in ResourceType.builtIn { register(type) }
    }

    mutating func register(_ type: ResourceType) {
        types[ResourcePath.key(type)] = type
    }

    /// The registered type for an object's `apiVersion` and `kind`.
    func type(apiVersion: String, kind: String) -> ResourceType? {
        types.values.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    func get(_ type: ResourceType, namespace: String?, name: String) throws(APIStatus) -> JSONValue {
        guard let object = objects[type]?[key(type, namespace, name)] else { throw APIStatus.notFound(type, name: name) }
        return object
    }

    /// The objects of `type` in `namespace` (all when nil), sorted by key, at the current
    /// resourceVersion or, with `exactly`, at an older one rebuilt from the history.
    func list(_ type: ResourceType, namespace: String?, exactly: Int? = nil) throws(APIStatus) -> (items: [(StoreKey, JSONValue)], resourceVersion: Int) {
        var snapshot = objects[type] ?? [:]
        var listVersion = resourceVersion
        if let exactly, exactly != resourceVersion {
            guard exactly >= compactedThrough else {
                throw APIStatus.expired(requested: exactly, oldest: compactedThrough + 1)
            }
            guard exactly <= resourceVersion else {
                throw APIStatus.tooLargeResourceVersion(requested: exactly, current: resourceVersion)
            }
            for event in history.reversed() {
                guard event.resourceVersion > exactly else { break }
                if event.type == type { snapshot[event.key] = event.previous }
            }
            listVersion = exactly
        }
        let items = snapshot
            .filter { namespace == nil || !type.namespaced || $0.key.namespace == namespace }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value) }
        return (items, listVersion)
    }

    /// Events after `resourceVersion`; 410 Expired when some of them were compacted.
    func events(after resourceVersion: Int) throws(APIStatus) -> ArraySlice<StoredEvent> {
        guard resourceVersion >= compactedThrough else {
            throw APIStatus.expired(requested: resourceVersion, oldest: compactedThrough + 1)
        }
        let start = history.lastIndex { $0.resourceVersion <= resourceVersion }.map { $0 + 1 } ?? history.startIndex
        return history[start...]
    }

    @discardableResult
    mutating func create(_ type: ResourceType, namespace: String?, object: JSONValue) throws(APIStatus) -> Write {
        guard case .object = object else { throw APIStatus.badRequest("the request body is not a JSON object") }
        var metadata = object["metadata"]?.objectValue ?? [:]
        if let version = metadata["resourceVersion"]?.stringValue, !version.isEmpty {
            throw APIStatus.resourceVersionOnCreate
        }
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + Self.randomSuffix()
        }
        guard !name.isEmpty else {
            throw APIStatus.invalid(type, name: "", "metadata.name: Required value: name or generateName is required")
        }
        let scope = try Self.scope(type, path: namespace, body: metadata["namespace"]?.stringValue)
        let key = StoreKey(namespace: scope, name: name)
        guard objects[type]?[key] == nil else { throw APIStatus.alreadyExists(type, name: name) }
        resourceVersion += 1
        metadata["name"] = .string(name)
        metadata["namespace"] = type.namespaced ? .string(scope) : nil
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(Date().formatted(.iso8601))
        metadata["resourceVersion"] = .string(String(resourceVersion))
        metadata["generation"] = 1
        metadata["deletionTimestamp"] = nil
        var stored = object
        stored["metadata"] = .object(metadata)
        stored["kind"] = .string(type.kind)
        stored["apiVersion"] = .string(type.apiVersion)
        objects[type, default: [:]][key] = stored
        return Write(object: stored, event: record(type, .added, key, stored, previous: nil))
    }

    /// Replaces an object (PUT). For types with a status subresource, the main resource keeps
    /// the stored `.status` and `subresource: "status"` changes only `.status`. A non-empty
    /// `metadata.resourceVersion` in the body must match the stored one (409 Conflict).
    /// `keepStatus: false` replaces the status too, as a test setting up state needs.
    @discardableResult
    mutating func replace(
        _ type: ResourceType,
        namespace: String?,
        name: String,
        subresource: String?,
        object: JSONValue,
        keepStatus: Bool = true
    ) throws(APIStatus) -> Write {
        guard case .object = object else { throw APIStatus.badRequest("the request body is not a JSON object") }
        if let subresource, subresource != "status" || !type.hasStatus { throw APIStatus.pathNotFound }
        let bodyMetadata = object["metadata"]?.objectValue ?? [:]
        if let bodyName = bodyMetadata["name"]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIStatus.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let scope = try Self.scope(type, path: namespace, body: bodyMetadata["namespace"]?.stringValue)
        let key = StoreKey(namespace: scope, name: name)
        guard let current = objects[type]?[key] else { throw APIStatus.notFound(type, name: name) }
        let currentVersion = current["metadata"]?["resourceVersion"]
        if let expected = bodyMetadata["resourceVersion"]?.stringValue, !expected.isEmpty, .string(expected) != currentVersion {
            throw APIStatus.conflict(type, name: name)
        }
        var next: JSONValue
        if subresource == "status" {
            next = current
            next["status"] = object["status"]
        } else {
            next = object
            if type.hasStatus, keepStatus { next["status"] = current["status"] }
        }
        var metadata = subresource == "status" ? (current["metadata"]?.objectValue ?? [:]) : bodyMetadata
        for field in ["name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp"] {
            metadata[field] = current["metadata"]?[field]
        }
        metadata["resourceVersion"] = currentVersion
        if subresource == nil, next["spec"] != current["spec"], let generation = current["metadata"]?["generation"]?.integerValue {
            metadata["generation"] = .integer(generation + 1)
        }
        next["metadata"] = .object(metadata)
        next["kind"] = .string(type.kind)
        next["apiVersion"] = .string(type.apiVersion)
        if next == current { return Write(object: current, event: nil) }
        resourceVersion += 1
        next["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        objects[type, default: [:]][key] = next
        return Write(object: next, event: record(type, .modified, key, next, previous: current))
    }

    /// A JSON merge patch (RFC 7386) of the object or of its status, then the rules of `replace`.
    @discardableResult
    mutating func patch(_ type: ResourceType, namespace: String?, name: String, subresource: String?, patch: JSONValue) throws(APIStatus) -> Write {
        let current = try get(type, namespace: namespace, name: name)
        var merged = current.merging(patch: patch)
        if patch["metadata"]?["resourceVersion"] == nil {
            merged["metadata"]?["resourceVersion"] = current["metadata"]?["resourceVersion"]
        }
        return try replace(type, namespace: namespace, name: name, subresource: subresource, object: merged)
    }

    /// Deletes an object; `precondition` is an optional expected resourceVersion.
    @discardableResult
    mutating func delete(_ type: ResourceType, namespace: String?, name: String, precondition: String? = nil) throws(APIStatus) -> Write {
        let key = key(type, namespace, name)
        guard let current = objects[type]?[key] else { throw APIStatus.notFound(type, name: name) }
        if let precondition, .string(precondition) != current["metadata"]?["resourceVersion"] {
            throw APIStatus.conflict(type, name: name)
        }
        resourceVersion += 1
        var deleted = current
        deleted["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        objects[type]?[key] = nil
        return Write(object: deleted, event: record(type, .deleted, key, deleted, previous: current))
    }

    /// Drops the history up to `resourceVersion` (at most the current one): watches and exact
    /// lists from before it get 410 Expired.
    mutating func compact(through resourceVersion: Int) {
        let through = min(resourceVersion, self.resourceVersion)
        guard through > compactedThrough else { return }
        history.removeAll { $0.resourceVersion <= through }
        compactedThrough = through
    }

    private mutating func record(_ type: ResourceType, _ kind: StoredEvent.Kind, _ key: StoreKey, _ object: JSONValue, previous: JSONValue?) -> StoredEvent {
        let event = StoredEvent(resourceVersion: resourceVersion, type: type, kind: kind, key: key, object: object, previous: previous)
        history.append(event)
        if history.count > historyLimit {
            compact(through: history[history.count - historyLimit - 1].resourceVersion)
        }
        return event
    }

    private func key(_ type: ResourceType, _ namespace: String?, _ name: String) -> StoreKey {
        StoreKey(namespace: type.namespaced ? (namespace ?? "default") : "", name: name)
    }

    /// The namespace an object is stored in: empty for cluster-scoped kinds, else the path's,
    /// else the body's, else `default` (as kubectl defaults it).
    private static func scope(_ type: ResourceType, path: String?, body: String?) throws(APIStatus) -> String {
        guard type.namespaced else { return "" }
        if let path, let body, !body.isEmpty, body != path {
            throw APIStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if let path { return path }
        if let body, !body.isEmpty { return body }
        return "default"
    }

    private static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<5).compactMap { _ in alphabet.randomElement(using: &generator) })
    }
}
