import Foundation
import Logging
import PorticoController
import PorticoKube
import PorticoModel
import Synchronization
import Testing

/// An API that holds Ingresses by name, answers PUT to `status` with 409 when the
/// resourceVersion is stale (or when told to, once), and counts the writes.
private final class IngressStatusAPI: KubernetesAPI {
    private struct State {
        var ingresses: [String: Ingress] = [:]
        var version = 10
        var conflictsToInject = 0
        var puts = 0
    }

    private let state = Mutex(State())

    func store(_ ingress: Ingress) {
        state.withLock { $0.ingresses[ingress.metadata.name ?? ""] = ingress }
    }

    /// The next write fails with 409 after the object changed underneath (its version moves).
    func conflictOnce() {
        state.withLock { $0.conflictsToInject += 1 }
    }

    var puts: Int { state.withLock { $0.puts } }

    func stored(_ name: String) -> Ingress? { state.withLock { $0.ingresses[name] } }

    private static func unsupported() -> KubeAPIError { KubeAPIError(kind: .configuration, message: "not scripted") }

    func list<Item: Decodable & Sendable>(_ resource: APIResource, namespace: String?, options: ListOptions, as itemType: Item.Type) async throws -> ObjectList<Item> {
        throw Self.unsupported()
    }

    func watch<Object: Decodable & Sendable>(_ resource: APIResource, namespace: String?, options: WatchOptions, as objectType: Object.Type) -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        AsyncThrowingStream { $0.finish(throwing: Self.unsupported()) }
    }

    func get<Object: Decodable & Sendable>(_ resource: APIResource, namespace: String?, name: String, as objectType: Object.Type) async throws -> Object {
        guard let ingress = stored(name) as? Object else { throw KubeAPIError(kind: .status, httpStatus: 404, message: "not found") }
        return ingress
    }

    func create<Object: Codable & Sendable>(_ resource: APIResource, namespace: String?, _ object: Object) async throws -> Object {
        throw Self.unsupported()
    }

    func replace<Object: Codable & Sendable>(_ resource: APIResource, namespace: String?, name: String, subresource: String?, _ object: Object) async throws -> Object {
        guard var ingress = object as? Ingress else { throw Self.unsupported() }
        let result: Result<Ingress, KubeAPIError> = state.withLock { state in
            state.puts += 1
            guard var current = state.ingresses[name] else { return .failure(KubeAPIError(kind: .status, httpStatus: 404, message: "not found")) }
            if state.conflictsToInject > 0 {
                state.conflictsToInject -= 1
                state.version += 1
                current.metadata.resourceVersion = "\(state.version)"
                state.ingresses[name] = current
            }
            guard ingress.metadata.resourceVersion == current.metadata.resourceVersion else {
                return .failure(KubeAPIError(kind: .status, httpStatus: 409, status: APIStatus(reason: "Conflict", code: 409), message: "conflict"))
            }
            state.version += 1
            ingress.metadata.resourceVersion = "\(state.version)"
            state.ingresses[name] = ingress
            return .success(ingress)
        }
        guard let written = try result.get() as? Object else { throw Self.unsupported() }
        return written
    }

    func mergePatch<Object: Decodable & Sendable>(_ resource: APIResource, namespace: String?, name: String, subresource: String?, patch: Data, as objectType: Object.Type) async throws -> Object {
        throw Self.unsupported()
    }

    func delete(_ resource: APIResource, namespace: String?, name: String) async throws {
        throw Self.unsupported()
    }
}

@Suite("Status writer")
struct StatusWriterTests {
    private let name = NamespacedName(namespace: "default", name: "shop")
    private let address = [LoadBalancerStatus.Ingress(ip: "10.0.0.1")]

    private func setUp() -> (IngressStatusAPI, [ObjectKey: SourcedResource]) {
        let api = IngressStatusAPI()
        let ingress = Ingress(metadata: ObjectMeta(name: "shop", namespace: "default", resourceVersion: "5"))
        api.store(ingress)
        let object = SourcedResource(.ingress(ingress), origin: .apiServer)
        return (api, [object.key: object])
    }

    private func writer(_ api: IngressStatusAPI, leading: Bool) -> StatusWriter {
        let leadership = Leadership()
        leadership.set(leading)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        return StatusWriter(api: api, leadership: leadership, reporter: FailureReporter(logger: logger), logger: logger)
    }

    @Test func retriesAfterAConflictWithTheFreshVersion() async {
        let (api, objects) = setUp()
        api.conflictOnce()
        var writer = writer(api, leading: true)
        #expect(await writer.sync(owned: [name], objects: objects, addresses: address))
        #expect(api.puts == 2)
        #expect(api.stored("shop")?.status?.loadBalancer?.ingress == address)
    }

    @Test func aWriteNotYetBackFromTheWatchIsNotRepeated() async {
        let (api, objects) = setUp()
        var writer = writer(api, leading: true)
        #expect(await writer.sync(owned: [name], objects: objects, addresses: address))
        // The next publication still carries the old version of the Ingress.
        #expect(await writer.sync(owned: [name], objects: objects, addresses: address))
        #expect(api.puts == 1)
    }

    @Test func aFollowerWritesNothing() async {
        let (api, objects) = setUp()
        var writer = writer(api, leading: false)
        #expect(await writer.sync(owned: [name], objects: objects, addresses: address))
        #expect(api.puts == 0)
    }
}
