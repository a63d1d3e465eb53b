@testable import PorticoKube
import PorticoModel
import Synchronization
import Testing

@Suite("Watch event buffer and line decoding")
struct WatchEventBufferTests {
    struct Item: Decodable, Sendable, Equatable {
        var name: String
    }

    private final class Calls: Sendable {
        let cancels = Mutex(0)
    }

    private func makeBuffer(_ calls: Calls) -> WatchEventBuffer<Item> {
        WatchEventBuffer<Item>(onCancel: { calls.cancels.withLock { $0 += 1 } })
    }

    @Test func aConsumerFarBehindEndsTheWatchAfterReadingWhatWasQueued() async throws {
        let buffer = makeBuffer(Calls())
        let decoder = WatchLineDecoder(buffer: buffer, description: "GET /watch")
        let capacity = WatchEventBuffer<Item>.capacity
        let line = Array("{\"type\":\"ADDED\",\"object\":{\"name\":\"x\"}}\n".utf8)

        var chunks = 0
        var overflow: KubeAPIError?
        while overflow == nil && chunks <= capacity {
            chunks += 1
            if case .abort(let error) = line.withUnsafeBytes({ decoder.consume($0) }) { overflow = error }
        }
        decoder.finish(error: overflow)

        #expect(chunks == capacity + 1)
        #expect(overflow?.kind == .transport)
        #expect(overflow?.message.contains("fell more than \(capacity) events behind") == true)
        var read = 0
        await #expect(throws: KubeAPIError.self) {
            while try await buffer.next() != nil { read += 1 }
        }
        #expect(read == capacity + 1)
    }

    @Test func queuedEventsComeBeforeTheEndWhichComesOnce() async throws {
        struct Boom: Error {}
        let buffer = makeBuffer(Calls())
        buffer.append([.added(Item(name: "a"))])
        buffer.finish(error: Boom())

        let first = try await buffer.next()
        await #expect(throws: Boom.self) { try await buffer.next() }
        let afterEnd = try await buffer.next()

        if case .added(let item)? = first { #expect(item.name == "a") } else { Issue.record("expected the queued event, got \(String(describing: first))") }
        #expect(afterEnd == nil)
    }

    @Test func aWaitingConsumerIsWokenByAppendAndByCancel() async throws {
        let calls = Calls()
        let buffer = makeBuffer(calls)

        async let next = buffer.next()
        buffer.append([.modified(Item(name: "b"))])
        guard case .modified(let item)? = try await next else {
            Issue.record("expected the appended event")
            return
        }
        #expect(item.name == "b")

        let waiter = Task { try await buffer.next() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        buffer.cancel()
        #expect(calls.cancels.withLock { $0 } == 1)
    }

    @Test func droppingTheStreamLifetimeCancelsTheTransfer() {
        let calls = Calls()
        var lifetime: WatchStreamLifetime<Item>? = WatchStreamLifetime(buffer: makeBuffer(calls))
        #expect(lifetime != nil)
        lifetime = nil
        #expect(calls.cancels.withLock { $0 } == 1)
    }

    @Test func linesSplitAcrossChunksDecodeInOrder() async throws {
        let buffer = makeBuffer(Calls())
        let decoder = WatchLineDecoder(buffer: buffer, description: "GET /watch")
        let chunks = ["{\"type\":\"ADDED\",\"object\":{\"name\":\"a\"}}\n{\"type\":", "\"DELETED\",\"object\":{\"name\":\"b\"}}\r\n", "\n{\"type\":\"ADDED\",\"object\":{\"name\":\"c\"}}"]

        for chunk in chunks {
            let disposition = Array(chunk.utf8).withUnsafeBytes { decoder.consume($0) }
            guard case .consumed = disposition else {
                Issue.record("chunk not consumed: \(disposition)")
                return
            }
        }
        decoder.finish(error: nil)

        var names: [String] = []
        while let event = try await buffer.next() {
            switch event {
            case .added(let item): names.append("+\(item.name)")
            case .deleted(let item): names.append("-\(item.name)")
            default: names.append("?")
            }
        }
        #expect(names == ["+a", "-b", "+c"])
    }

    @Test func aLineThatIsNotAnEventAbortsWithADecodingError() {
        let decoder = WatchLineDecoder(buffer: makeBuffer(Calls()), description: "GET /watch")
        let disposition = Array("{\"type\":\"SURPRISE\",\"object\":{}}\n".utf8).withUnsafeBytes { decoder.consume($0) }
        guard case .abort(let error) = disposition else {
            Issue.record("expected an abort, got \(disposition)")
            return
        }
        #expect(error.kind == .decoding)
        #expect(error.message.hasPrefix("GET /watch: cannot decode watch event {\"type\":\"SURPRISE\""))
    }

    @Test func queryValuesKeepOnlyUnreservedCharacters() {
        #expect(CurlKubernetesClient.percentEncoded("app=web,tier!=db") == "app%3Dweb%2Ctier%21%3Ddb")
        #expect(CurlKubernetesClient.percentEncoded("eyJ2Ijo+/=") == "eyJ2Ijo%2B%2F%3D")
        #expect(CurlKubernetesClient.percentEncoded("a-b_c.d~e") == "a-b_c.d~e")
    }

    @Test func forbiddenAdviceNamesVerbResourceAndScope() {
        let namespaced = CurlRequest.Access(verb: "update", resource: .ingresses, namespace: "shop", subresource: "status")
        let cluster = CurlRequest.Access(verb: "watch", resource: .ingressClasses, namespace: "ignored", subresource: nil)
        #expect(KubeAPIError.forbiddenAdvice(namespaced) == "RBAC: the service account cannot update ingresses.networking.k8s.io/status in namespace shop; grant it in a Role bound in shop or a ClusterRole")
        #expect(KubeAPIError.forbiddenAdvice(cluster) == "RBAC: the service account cannot watch ingressclasses.networking.k8s.io at the cluster scope; grant it in a ClusterRole")
    }
}
