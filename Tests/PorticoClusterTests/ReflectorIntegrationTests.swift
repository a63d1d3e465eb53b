import Foundation
import Logging
import PorticoKube
import PorticoModel
import PorticoTestAPIServer
import Synchronization
import Testing

/// The reflectors alone against the test API server through libcurl: what they emit, counted.
@Suite("Reflectors through libcurl", .serialized)
struct ReflectorIntegrationTests {
    /// Collects a cluster source's events.
    final class Collected: Sendable {
        private let events = Mutex<[ResourceEvent]>([])

        func append(_ event: ResourceEvent) { events.withLock { $0.append(event) } }

        /// "name@resourceVersion" of every upserted Service, in order.
        var serviceUpserts: [String] {
            events.withLock { events in
                events.compactMap { event in
                    guard case .upserted(let object) = event, object.key.kind == .service else { return nil }
                    return "\(object.key.name.name)@\(object.resource.metadata.resourceVersion ?? "")"
                }
            }
        }
    }

    @Test func droppedWatchesLoseAndDoubleNothing() async throws {
        try await ClusterHarness.run { cluster in
            let configuration = try KubeconfigLoader.load(path: cluster.kubeconfig)
            let client = try CurlKubernetesClient(configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            defer { client.shutdown() }
            let source = ClusterSource(
                api: client, scope: ClusterScope(), timing: PorticoInstance.reflectorTiming,
                reporter: FailureReporter(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            let collected = Collected()
            let consumer = Task {
                for await event in source { collected.append(event) }
            }
            defer { consumer.cancel() }
            try await waitUntil("watches are open") { cluster.server.openWatchCount >= 5 }
            var expected: [String] = []
            for round in 0..<12 {
                let object = try cluster.apply(#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s\#(round % 4)","namespace":"default","labels":{"round":"\#(round)"}},"spec":{"ports":[{"port":80}]}}"#)
                expected.append("s\(round % 4)@\(object["metadata"]?["resourceVersion"]?.stringValue ?? "")")
                if round % 3 == 2 { cluster.server.dropWatches() }
            }
            let count = expected.count
            do {
                try await waitUntil("every change arrived") { collected.serviceUpserts.count >= count }
            } catch {
                Issue.record("expected \(expected), got \(collected.serviceUpserts)")
                throw error
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(collected.serviceUpserts == expected)
            #expect(cluster.server.requests(verb: "watch", resource: "services").count > 1)
            // Resumed from the last resourceVersion: one list only.
            #expect(cluster.server.requests(verb: "list", resource: "services").count == 1)
            consumer.cancel()
            _ = await consumer.result
        }
    }
}
