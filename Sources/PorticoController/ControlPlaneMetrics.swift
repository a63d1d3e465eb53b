internal import Metrics
internal import Foundation

/// The control plane's own metrics: which table generation serves, when it was published, how
/// long building it took, and how many problems the current input has. Handles are made once.
struct ControlPlaneMetrics: Sendable {
    private let generation = Gauge(label: "portico_table_generation")
    private let lastPublish = Gauge(label: "portico_table_last_publish_timestamp_seconds")
    private let errors = Gauge(label: "portico_config_errors")
    private let warnings = Gauge(label: "portico_config_warnings")
    private let publishes = Counter(label: "portico_table_publishes_total", dimensions: [("kind", "routes")])
    private let endpointPublishes = Counter(label: "portico_table_publishes_total", dimensions: [("kind", "endpoints")])
    private let buildDuration = Gauge(label: "portico_table_build_duration_seconds")

    func record(_ publication: Reconciler.Publication) {
        generation.record(Int64(clamping: publication.generation))
        lastPublish.record(Date().timeIntervalSince1970)
        buildDuration.record(publication.buildDuration.inSeconds)
        if publication.endpointsOnly {
            endpointPublishes.increment()
        } else {
            publishes.increment()
            errors.record(publication.errorCount)
            warnings.record(publication.warningCount)
        }
    }
}
