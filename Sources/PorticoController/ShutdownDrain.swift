public import Logging
public import ServiceLifecycle

/// The first phase of a graceful shutdown: `/readyz` turns 503 at once, while the listeners keep
/// accepting for `delay`, so that load balancers and kube-proxy notice the pod is leaving before
/// it stops answering. Only then may the proxy stop accepting and drain.
///
/// It is the last service of the group: `ServiceGroup` shuts services down in reverse order and
/// waits for each, so the drain delay passes before the proxy is told to stop. It plays the role
/// ingress-nginx gives to a `preStop` sleep, without needing a shell in the image.
public struct ShutdownDrain: ServiceLifecycle.Service {
    private let readiness: Readiness
    private let delay: Duration
    private let logger: Logger

    public init(readiness: Readiness, delay: Duration, logger: Logger) {
        self.readiness = readiness
        self.delay = delay
        self.logger = logger
    }

    /// Waits for graceful shutdown, then marks the pod not ready and waits out the drain delay.
    /// Returns at once when cancelled (a second signal).
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled before any graceful shutdown: the group is going away without one.
            return
        }
        readiness.markNotReady()
        logger.notice(
            "shutting down: /readyz answers 503; listeners keep accepting during the drain delay",
            metadata: ["drainDelay": "\(delay)"]
        )
        try? await Task.sleep(for: delay)
    }
}
