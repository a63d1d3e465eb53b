/// Round-robin choice over `count` endpoints.
///
/// A value type that each event loop owns per cluster, so that picking needs no lock and no
/// atomic: Envoy keeps its load balancers per worker for the same reason. Over all loops the
/// spread is still even, because each loop cycles through every endpoint.
public struct RoundRobin: Sendable {
    private var cursor: Int

    /// `seed` staggers the starting point so that loops do not all begin with endpoint 0.
    public init(seed: Int = 0) {
        self.cursor = seed
    }

    /// The index to use next, or nil when there is nothing to choose from. Survives `count`
    /// changing between calls (endpoints come and go).
    public mutating func next(count: Int) -> Int? {
        guard count > 0 else { return nil }
        let index = ((cursor % count) + count) % count
        cursor = index &+ 1
        return index
    }
}
