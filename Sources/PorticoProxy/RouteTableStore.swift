public import PorticoRouteTable
internal import Atomics
internal import Synchronization

/// The one publish point for routing: the controller publishes a whole new table, and every
/// request loads the current one once, when its head arrives, and keeps it to its end.
///
/// One atomic reference and no lock, so readers on every event loop never wait for the
/// controller or for each other (the same role as Envoy's `ConfigConstSharedPtr` swap).
public final class RouteTableStore: Sendable {
    private let reference: ManagedAtomic<Box>
    /// Control-plane observers (`updates()`); the request path never touches this lock.
    private let subscribers = Mutex<Subscribers>(Subscribers())

    /// How long a replaced table is kept alive after the publish that replaced it.
    private let retirementDelay: Duration

    /// Starts with `initial`; `.empty` answers 404 to everything until a table is published.
    /// A replaced table is held for `retirementDelay` more (see `publish(_:)`).
    public init(_ initial: RouteTable = .empty, retirementDelay: Duration = .seconds(2)) {
        self.reference = ManagedAtomic(Box(initial))
        self.retirementDelay = retirementDelay
    }

    /// Replaces the table for every request whose head arrives from now on. In-flight requests
    /// keep the table they loaded.
    ///
    /// The replaced table is let go `retirementDelay` later, by a task of its own. Whoever drops
    /// the last reference pays for freeing it, and without the delay that was often a request
    /// in flight, on an event loop: during `bench/scale.sh churn` at 10,000 Ingresses perf found
    /// the table's deinit in about 2% of the event loop's samples (tens of milliseconds a swap
    /// by that count), and the p99 was 40-80 ms against 11-12 ms with the delay.
    public func publish(_ table: RouteTable) {
        let replaced = self.subscribers.withLock { subscribers in
            let replaced = self.reference.exchange(Box(table), ordering: .acquiringAndReleasing)
            for continuation in subscribers.continuations.values { continuation.yield(table) }
            return replaced
        }
        // Default priority on purpose. With `.background`, the task runs on libdispatch's
        // low-priority workers, and under load that priority seemed to reach unrelated work
        // (stressed test runs: clients slowed to a crawl, two of three failed; at default
        // priority six of six passed). Linux threads inherit their creator's nice value.
        let delay = self.retirementDelay
        Task.detached {
            try? await Task.sleep(for: delay)
            withExtendedLifetime(replaced) {}
        }
    }

    /// Every table published from now on, starting with the current one, for control-plane
    /// consumers that must act on a publish (the TCP listeners). A slow consumer sees only the
    /// newest table; tables in between are skipped, never queued.
    public func updates() -> AsyncStream<RouteTable> {
        let (stream, continuation) = AsyncStream.makeStream(of: RouteTable.self, bufferingPolicy: .bufferingNewest(1))
        let id = self.subscribers.withLock { subscribers in
            subscribers.nextID += 1
            subscribers.continuations[subscribers.nextID] = continuation
            continuation.yield(self.current)
            return subscribers.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    private struct Subscribers {
        var nextID: UInt64 = 0
        var continuations: [UInt64: AsyncStream<RouteTable>.Continuation] = [:]
    }

    /// The table a new request should use.
    public var current: RouteTable {
        self.reference.load(ordering: .acquiring).table
    }

    /// The immutable holder the atomic reference points at.
    private final class Box: AtomicReference, Sendable {
        let table: RouteTable
        init(_ table: RouteTable) { self.table = table }
    }
}
