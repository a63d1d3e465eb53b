internal import Metrics

/// The metric handles of one TCP service (one listening port and its Service), made once per
/// entry and shared by its connections on every event loop (swift-metrics handles are
/// thread-safe).
final class TCPServiceMetrics: Sendable {
    private let connections: Counter
    private let active: Meter
    private let bytesIn: Counter
    private let bytesOut: Counter
    private let connectFailures: Counter

    init(port: Int, service: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let labels = [("port", String(port)), ("service", service)]
        self.connections = Counter(label: "portico_tcp_connections_total", dimensions: labels, factory: factory)
        self.active = Meter(label: "portico_tcp_active_connections", dimensions: labels, factory: factory)
        self.bytesIn = Counter(label: "portico_tcp_bytes_total", dimensions: labels + [("direction", "in")], factory: factory)
        self.bytesOut = Counter(label: "portico_tcp_bytes_total", dimensions: labels + [("direction", "out")], factory: factory)
        self.connectFailures = Counter(label: "portico_tcp_connect_failures_total", dimensions: labels, factory: factory)
    }

    func connectionOpened() {
        self.connections.increment()
        self.active.increment()
    }

    func connectionClosed() {
        self.active.decrement()
    }

    /// Bytes read from the client.
    func received(_ count: Int) {
        self.bytesIn.increment(by: count)
    }

    /// Bytes written to the client.
    func sent(_ count: Int) {
        self.bytesOut.increment(by: count)
    }

    /// No endpoint, or the connect to it failed or timed out.
    func connectFailed() {
        self.connectFailures.increment()
    }
}
