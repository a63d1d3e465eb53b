internal import Synchronization

/// Whether the pod should take traffic: true once the first table is published, false again for
/// good once shutdown begins. Read by `/readyz` on every probe, so it is one atomic load.
public final class Readiness: Sendable {
    /// 0: starting (no table yet), 1: ready, 2: draining (shutting down; never ready again).
    private let state = Atomic<UInt8>(0)

    public init() {}

    public var isReady: Bool { state.load(ordering: .acquiring) == 1 }

    /// True once shutdown has begun.
    public var isDraining: Bool { state.load(ordering: .acquiring) == 2 }

    /// Marks the pod ready, unless shutdown has already begun: a table published during the
    /// drain must not bring `/readyz` back to 200.
    public func markReady() {
        _ = state.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing)
    }

    /// Turns readiness off for the rest of the process's life (at shutdown, so that load
    /// balancers stop sending new connections).
    public func markNotReady() { state.store(2, ordering: .releasing) }
}
