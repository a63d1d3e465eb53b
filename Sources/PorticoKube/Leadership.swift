internal import Synchronization

/// Whether this replica leads now, readable from any task with one lock, and a stream of changes
/// for whoever must act when it starts or stops leading. Leadership only gates writes (status,
/// Events): every replica serves traffic either way.
public final class Leadership: Sendable {
    private struct State {
        var isLeader = false
        var nextID = 0
        var watchers: [Int: AsyncStream<Bool>.Continuation] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// Sets the state; watchers hear of real changes only.
    public func set(_ leading: Bool) {
        let watchers: [AsyncStream<Bool>.Continuation] = state.withLock { state in
            guard state.isLeader != leading else { return [] }
            state.isLeader = leading
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(leading) }
    }

    /// The current state, then every change, until the consumer stops.
    public func changes() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.watchers[id] = continuation
            continuation.yield(state.isLeader)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}
