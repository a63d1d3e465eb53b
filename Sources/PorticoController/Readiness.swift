internal import Synchronization

/// Whether the pod should take traffic: true once the first table is published. Read by
/// `/readyz` on every probe, so it is one atomic load.
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    public init() {}

    public var isReady: Bool { ready.load(ordering: .acquiring) }

    public func markReady() { ready.store(true, ordering: .releasing) }

    /// Turns readiness off (at shutdown, so load balancers stop sending new connections).
    public func markNotReady() { ready.store(false, ordering: .releasing) }
}
