import PorticoManifests
import PorticoModel
import Synchronization
import Testing

/// Consumes a `ManifestSource` on its own task and records the events in batches (each ended by
/// `.synced`), so that a test can change files and wait, with a deadline, for the next batch.
final class EventRecorder: Sendable {
    private let events = Mutex<[ResourceEvent]>([])
    private let ended = Mutex(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ source: ManifestSource) {
        let consumer = Task { [self] in
            for await event in source {
                events.withLock { $0.append(event) }
            }
            ended.withLock { $0 = true }
        }
        task.withLock { $0 = consumer }
    }

    /// The complete batches so far.
    var batches: [[ResourceEvent]] {
        let all = events.withLock { $0 }
        var result: [[ResourceEvent]] = []
        var current: [ResourceEvent] = []
        for event in all {
            current.append(event)
            if case .synced = event {
                result.append(current)
                current = []
            }
        }
        return result
    }

    var hasEnded: Bool { ended.withLock { $0 } }

    /// Waits until `count` batches have arrived and returns batch number `count` (1-based).
    func batch(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [ResourceEvent] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while batches.count < count && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let all = batches
        try #require(all.count >= count, "batch \(count) did not arrive in time; got \(all)")
        return all[count - 1]
    }

    /// Cancels the consumer and waits for its loop to end.
    func stop() async {
        let consumer = task.withLock { $0 }
        consumer?.cancel()
        await consumer?.value
    }
}
