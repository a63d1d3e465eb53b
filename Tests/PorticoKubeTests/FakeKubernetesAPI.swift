import Foundation
import PorticoKube
import PorticoModel
import Synchronization

/// A scripted, in-memory `KubernetesAPI`: lists page through JSON items held per resource,
/// watches are streams the test pushes JSON lines into, errors can be queued per verb, and
/// `get`/`create`/`replace` keep objects with resourceVersions and answer 404/409 as the API
/// server does. Every request is recorded.
final class FakeKubernetesAPI: KubernetesAPI {
    struct Request: Sendable {
        var verb: String
        var resource: APIResource
        var namespace: String?
        var name: String?
        var list: ListOptions?
        var watch: WatchOptions?
        var at: ContinuousClock.Instant
    }

    private struct Watch {
        var push: @Sendable (Data) -> Void
        var end: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var items: [String: [Data]] = [:]
        var listVersion: [String: String] = [:]
        var objects: [String: Data] = [:]
        var version = 100
        var errors: [String: [KubeAPIError]] = [:]
        var lostResponses: [String: Int] = [:]
        var requests: [Request] = []
        var watches: [String: [Watch]] = [:]
    }

    private let state = Mutex(State())

    // MARK: scripting

    func setItems(_ resource: APIResource, _ items: [String], resourceVersion: String) {
        state.withLock {
            $0.items[resource.plural] = items.map { Data($0.utf8) }
            $0.listVersion[resource.plural] = resourceVersion
        }
    }

    /// The next `count` requests of `verb` (`list`, `watch`, `get`, `create`, `replace`) fail.
    func fail(_ verb: String, with error: KubeAPIError, times count: Int = 1) {
        state.withLock { $0.errors[verb, default: []] += Array(repeating: error, count: count) }
    }

    /// The next `count` writes of `verb` (`create`, `replace`) are applied but answered with a
    /// transport error, as when a connection drops (or the caller gives up) after the server
    /// committed the write.
    func loseResponses(_ verb: String, times count: Int = 1) {
        state.withLock { $0.lostResponses[verb, default: 0] += count }
    }

    var requests: [Request] { state.withLock { $0.requests } }

    func requests(_ verb: String, _ resource: APIResource) -> [Request] {
        requests.filter { $0.verb == verb && $0.resource == resource }
    }

    /// Open watches of `resource` so far (including ended ones).
    func watchCount(_ resource: APIResource) -> Int {
        state.withLock { $0.watches[resource.plural]?.count ?? 0 }
    }

    /// Sends one watch line (`{"type": ..., "object": ...}`) on the newest watch of `resource`.
    func push(_ resource: APIResource, _ line: String) {
        let watch = state.withLock { $0.watches[resource.plural]?.last }
        watch?.push(Data(line.utf8))
    }

    /// Ends the newest watch of `resource`: normally (nil) or with an error.
    func endWatch(_ resource: APIResource, error: (any Error)? = nil) {
        let watch = state.withLock { $0.watches[resource.plural]?.last }
        watch?.end(error)
    }

    func storedObject<Object: Decodable>(_ resource: APIResource, namespace: String?, name: String, as type: Object.Type) -> Object? {
        let data = state.withLock { $0.objects[Self.key(resource, namespace, name)] }
        return data.flatMap { try? JSONDecoder().decode(Object.self, from: $0) }
    }

    func storedObjects(_ resource: APIResource) -> [Data] {
        let prefix = resource.plural + "|"
        return state.withLock { $0.objects.filter { $0.key.hasPrefix(prefix) }.map(\.value) }
    }

    // MARK: KubernetesAPI

    private func record(_ request: Request) throws(KubeAPIError) {
        let error: KubeAPIError? = state.withLock { state in
            state.requests.append(request)
            guard var queue = state.errors[request.verb], !queue.isEmpty else { return nil }
            let error = queue.removeFirst()
            state.errors[request.verb] = queue
            return error
        }
        if let error { throw error }
    }

    func list<Item: Decodable & Sendable>(_ resource: APIResource, namespace: String?, options: ListOptions, as itemType: Item.Type) async throws -> ObjectList<Item> {
        try record(Request(verb: "list", resource: resource, namespace: namespace, list: options, at: .now))
        let (items, version) = state.withLock { ($0.items[resource.plural] ?? [], $0.listVersion[resource.plural] ?? "1") }
        let start = Int(options.continueToken ?? "0") ?? 0
        let end = options.limit.map { min(items.count, start + $0) } ?? items.count
        let page = items[min(start, items.count)..<end]
        var json = #"{"metadata":{"resourceVersion":"\#(version)""#
        if end < items.count { json += #","continue":"\#(end)""# }
        json += #"},"items":["# + page.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",") + "]}"
        return try JSONDecoder().decode(ObjectList<Item>.self, from: Data(json.utf8))
    }

    func watch<Object: Decodable & Sendable>(_ resource: APIResource, namespace: String?, options: WatchOptions, as objectType: Object.Type) -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<Object>, any Error>.makeStream()
        do {
            try record(Request(verb: "watch", resource: resource, namespace: namespace, watch: options, at: .now))
        } catch {
            continuation.finish(throwing: error)
            return stream
        }
        let watch = Watch(
            push: { data in
                do {
                    continuation.yield(try JSONDecoder().decode(WatchEvent<Object>.self, from: data))
                } catch {
                    continuation.finish(throwing: KubeAPIError(kind: .decoding, message: "\(error)"))
                }
            },
            end: { error in continuation.finish(throwing: error) }
        )
        state.withLock { $0.watches[resource.plural, default: []].append(watch) }
        return stream
    }

    func get<Object: Decodable & Sendable>(_ resource: APIResource, namespace: String?, name: String, as objectType: Object.Type) async throws -> Object {
        try record(Request(verb: "get", resource: resource, namespace: namespace, name: name, at: .now))
        guard let data = state.withLock({ $0.objects[Self.key(resource, namespace, name)] }) else {
            throw KubeAPIError(kind: .status, httpStatus: 404, status: APIStatus(reason: "NotFound", code: 404), message: "GET \(name): not found")
        }
        return try JSONDecoder().decode(Object.self, from: data)
    }

    func create<Object: Codable & Sendable>(_ resource: APIResource, namespace: String?, _ object: Object) async throws -> Object {
        let data = try JSONEncoder().encode(object)
        let name = (try JSONDecoder().decode(Named.self, from: data)).metadata.name ?? ""
        try record(Request(verb: "create", resource: resource, namespace: namespace, name: name, at: .now))
        let stored: Data = try state.withLock { state in
            let key = Self.key(resource, namespace, name)
            if state.objects[key] != nil {
                throw KubeAPIError(kind: .status, httpStatus: 409, status: APIStatus(reason: "AlreadyExists", code: 409), message: "POST \(name): exists")
            }
            state.version += 1
            let stored = try Self.withVersion(data, "\(state.version)")
            state.objects[key] = stored
            return stored
        }
        return try JSONDecoder().decode(Object.self, from: stored)
    }

    func replace<Object: Codable & Sendable>(_ resource: APIResource, namespace: String?, name: String, subresource: String?, _ object: Object) async throws -> Object {
        try record(Request(verb: "replace", resource: resource, namespace: namespace, name: name, at: .now))
        let data = try JSONEncoder().encode(object)
        let sent = (try JSONDecoder().decode(Named.self, from: data)).metadata.resourceVersion
        let stored: Data = try state.withLock { state in
            let key = Self.key(resource, namespace, name)
            guard let current = state.objects[key] else {
                throw KubeAPIError(kind: .status, httpStatus: 404, status: APIStatus(reason: "NotFound", code: 404), message: "PUT \(name): not found")
            }
            let version = (try JSONDecoder().decode(Named.self, from: current)).metadata.resourceVersion
            if let sent, sent != version {
                throw KubeAPIError(kind: .status, httpStatus: 409, status: APIStatus(reason: "Conflict", code: 409), message: "PUT \(name): conflict")
            }
            state.version += 1
            let stored = try Self.withVersion(data, "\(state.version)")
            state.objects[key] = stored
            return stored
        }
        try loseResponseIfScripted("replace")
        return try JSONDecoder().decode(Object.self, from: stored)
    }

    private func loseResponseIfScripted(_ verb: String) throws(KubeAPIError) {
        let lose = state.withLock { state in
            guard let count = state.lostResponses[verb], count > 0 else { return false }
            state.lostResponses[verb] = count - 1
            return true
        }
        if lose { throw KubeAPIError(kind: .transport, message: "\(verb): connection closed before the response") }
    }

    func mergePatch<Object: Decodable & Sendable>(_ resource: APIResource, namespace: String?, name: String, subresource: String?, patch: Data, as objectType: Object.Type) async throws -> Object {
        try record(Request(verb: "patch", resource: resource, namespace: namespace, name: name, at: .now))
        return try await get(resource, namespace: namespace, name: name, as: Object.self)
    }

    func delete(_ resource: APIResource, namespace: String?, name: String) async throws {
        try record(Request(verb: "delete", resource: resource, namespace: namespace, name: name, at: .now))
        _ = state.withLock { $0.objects.removeValue(forKey: Self.key(resource, namespace, name)) }
    }

    // MARK: helpers

    private struct Named: Decodable {
        var metadata: ObjectMeta
    }

    private static func key(_ resource: APIResource, _ namespace: String?, _ name: String) -> String {
        "\(resource.plural)|\(namespace ?? "")|\(name)"
    }

    private static func withVersion(_ data: Data, _ version: String) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return data }
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        metadata["resourceVersion"] = version
        object["metadata"] = metadata
        return try JSONSerialization.data(withJSONObject: object)
    }
}
