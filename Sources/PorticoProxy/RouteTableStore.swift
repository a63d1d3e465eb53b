public import PorticoRouteTable
internal import Atomics

/// The one publish point for routing: the controller publishes a whole new table, and every
/// request loads the current one once, when its head arrives, and keeps it to its end.
///
/// One atomic reference and no lock, so readers on every event loop never wait for the
/// controller or for each other (the same role as Envoy's `ConfigConstSharedPtr` swap).
public final class RouteTableStore: Sendable {
    private let reference: ManagedAtomic<Box>

    /// Starts with `initial`; `.empty` answers 404 to everything until a table is published.
    public init(_ initial: RouteTable = .empty) {
        self.reference = ManagedAtomic(Box(initial))
    }

    /// Replaces the table for every request whose head arrives from now on. In-flight requests
    /// keep the table they loaded.
    public func publish(_ table: RouteTable) {
        self.reference.store(Box(table), ordering: .releasing)
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
