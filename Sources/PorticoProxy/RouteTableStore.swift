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

    /// Starts with `initial`; `.empty` answers 404 to everything until a table is published.
    public init(_ initial: RouteTable = .empty) {
        self.reference = ManagedAtomic(Box(initial))
    }

    /// Replaces the table for every request whose head arrives from now on. In-flight requests
    /// keep the table they loaded.
    public func publish(_ table: RouteTable) {
        self.subscribers.withLock { subscribers in
            self.reference.store(Box(table), ordering: .releasing)
            for continuation in subscribers.continuations.values { continuation.yield(table) }
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
