internal import Synchronization

/// Lets a warning about a cluster through once for the whole proxy, not once per event loop
/// or connection: "upstream TLS is not verified" would otherwise repeat for every loop, and a
/// failing handshake for every request.
///
/// Only connection set-up and per-cluster set-up pass through it, never a reused connection,
/// so its lock stays off the per-request path. It holds one short key per cluster and kind of
/// warning.
final class UpstreamLogGate: Sendable {
    private let logged = Mutex<Set<String>>([])

    /// Whether `key` has not been logged yet; marks it logged.
    func shouldLog(_ key: String) -> Bool {
        self.logged.withLock { $0.insert(key).inserted }
    }

    /// Lets `key` through again (the problem went away).
    func reset(_ key: String) {
        _ = self.logged.withLock { $0.remove(key) }
    }
}
