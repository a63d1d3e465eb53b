import Foundation
import Logging
import PorticoKube
import PorticoModel
import Synchronization
import Testing

/// Collects what a reflector emits, for assertions from the test task.
final class EmittedEvents: Sendable {
    private let events = Mutex<[ResourceEvent]>([])

    var all: [ResourceEvent] { events.withLock { $0 } }

    func append(_ batch: [ResourceEvent]) {
        events.withLock { $0 += batch }
    }

    /// Upserted objects' names with their resourceVersions, in order.
    var upserts: [String] {
        all.compactMap { event in
            guard case .upserted(let object) = event else { return nil }
            return "\(object.key.name.name)@\(object.resource.metadata.resourceVersion ?? "")"
        }
    }

    var deletes: [String] {
        all.compactMap { event in
            guard case .deleted(let key) = event else { return nil }
            return key.name.name
        }
    }

    var syncCount: Int {
        all.filter { if case .synced = $0 { true } else { false } }.count
    }
}

/// Polls `condition` every 5 ms for at most `timeout` (generous: it only matters when a test fails,
/// and a parallel run on two busy cores can be slow).
func waitUntil(_ what: String, timeout: Duration = .seconds(15), _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}

enum JSON {
    static func service(_ name: String, version: String, namespace: String = "default") -> String {
        #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"\#(name)","namespace":"\#(namespace)","resourceVersion":"\#(version)"},"spec":{"ports":[{"port":80}]}}"#
    }

    static func event(_ type: String, _ object: String) -> String {
        #"{"type":"\#(type)","object":\#(object)}"#
    }

    static func bookmark(_ version: String) -> String {
        #"{"type":"BOOKMARK","object":{"kind":"Service","apiVersion":"v1","metadata":{"resourceVersion":"\#(version)"}}}"#
    }

    static let gone = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version","reason":"Expired","code":410}}"#
}

extension Logger {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Tiny durations so reflector tests run in milliseconds.
extension ReflectorTiming {
    static let fast = ReflectorTiming(
        watchTimeoutSeconds: 1...2, backoffInitial: .milliseconds(5), backoffMaximum: .milliseconds(50),
        pageSize: 2, minimumWatchDuration: .zero
    )
}

/// Runs a Service reflector on `api` while `body` runs, then cancels it.
func withServiceReflector(
    _ api: FakeKubernetesAPI,
    timing: ReflectorTiming = .fast,
    _ body: @Sendable (EmittedEvents) async throws -> Void
) async throws {
    let events = EmittedEvents()
    let reflector = Reflector<Service>(
        api: api, resource: .services, kind: .service, timing: timing,
        reporter: FailureReporter(logger: .quiet), logger: .quiet
    ) { Resource.service($0) }
    let task = Task { await reflector.run { events.append($0) } }
    defer { task.cancel() }
    try await body(events)
    task.cancel()
    await task.value
}
