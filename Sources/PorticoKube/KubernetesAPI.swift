public import Foundation
public import PorticoModel

/// The operations Portico needs from the Kubernetes API server. The libcurl client implements
/// it; reflectors, the leader elector and the status writer depend only on this protocol, so
/// they can be tested against the project's test API server and reasoned about without
/// transport details. Every failure is a `KubeAPIError`.
public protocol KubernetesAPI: Sendable {
    /// One page of a collection. `namespace` nil lists all namespaces.
    func list<Item: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        options: ListOptions,
        as itemType: Item.Type
    ) async throws -> ObjectList<Item>

    /// A watch stream: one element per event line, as it arrives. The stream finishes without
    /// error when the server ends the watch (its `timeoutSeconds`), throws a `KubeAPIError` when
    /// the connection fails or the server refuses the watch (a 410 answer included), and ends
    /// the request when the iterating task is cancelled or the stream value is released
    /// (`AsyncThrowingStream` tells nothing when a consumer merely stops iterating).
    func watch<Object: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        options: WatchOptions,
        as objectType: Object.Type
    ) -> AsyncThrowingStream<WatchEvent<Object>, any Error>

    func get<Object: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        name: String,
        as objectType: Object.Type
    ) async throws -> Object

    /// POST to the collection; returns the object as stored (with its resourceVersion).
    func create<Object: Codable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        _ object: Object
    ) async throws -> Object

    /// PUT of the whole object, or of a subresource (`status`). With `metadata.resourceVersion`
    /// set, a stale write fails with 409 Conflict.
    func replace<Object: Codable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        name: String,
        subresource: String?,
        _ object: Object
    ) async throws -> Object

    /// PATCH with `application/merge-patch+json`.
    func mergePatch<Object: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        name: String,
        subresource: String?,
        patch: Data,
        as objectType: Object.Type
    ) async throws -> Object

    func delete(_ resource: APIResource, namespace: String?, name: String) async throws
}
