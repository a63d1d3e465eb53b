internal import Metrics
public import Prometheus

/// Process-wide metrics setup. swift-metrics allows one bootstrap per process, so only the
/// executable calls this; tests leave metrics unbootstrapped (no-op handlers).
public enum MetricsBootstrap {
    /// Routes every swift-metrics handle to a Prometheus registry and returns that registry,
    /// which `/metrics` renders.
    public static func prometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
