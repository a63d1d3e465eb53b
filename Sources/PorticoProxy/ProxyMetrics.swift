internal import Metrics
internal import NIOHTTP1
internal import PorticoRouteTable

/// The metric handles of one event loop, created on first use and then reused.
///
/// swift-metrics factory calls take a lock and allocate, so a handle is made once per route
/// source and status class (per loop) and never per request. Only the owning event loop touches
/// an instance, so the caches need no lock.
final class ProxyMetrics {
    private var sources: [RouteSource: SourceMetrics] = [:]
    private let upstreamErrors: [UpstreamErrorReason: Counter]
    private let downstreamRequests: [Counter]
    /// Labels for requests no route matched.
    static let unrouted = RouteSource(namespace: "", ingress: "", service: "")

    init() {
        var upstreamErrors: [UpstreamErrorReason: Counter] = [:]
        for reason in UpstreamErrorReason.allCases {
            upstreamErrors[reason] = Counter(
                label: "portico_upstream_errors_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.upstreamErrors = upstreamErrors
        self.downstreamRequests = DownstreamProtocol.allCases.map {
            Counter(label: "portico_downstream_requests_total", dimensions: [("protocol", $0.label)])
        }
    }

    /// Counts one request head by the protocol it arrived with (`h1`, `h2`).
    func recordDownstreamRequest(_ downstream: DownstreamProtocol) {
        switch downstream {
        case .http1: self.downstreamRequests[0].increment()
        case .http2: self.downstreamRequests[1].increment()
        }
    }

    /// Counts one finished request and records its duration.
    func recordRequest(source: RouteSource, status: HTTPResponseStatus, durationNanoseconds: Int64) {
        let metrics: SourceMetrics
        if let cached = self.sources[source] {
            metrics = cached
        } else {
            metrics = SourceMetrics(source: source)
            self.sources[source] = metrics
        }
        metrics.record(statusCode: Int(status.code), durationNanoseconds: durationNanoseconds)
    }

    /// Counts one upstream failure.
    func recordUpstreamError(_ reason: UpstreamErrorReason) {
        self.upstreamErrors[reason]?.increment()
    }
}

/// The handles of one route source: one counter per status class, made when first needed.
private final class SourceMetrics {
    private let source: RouteSource
    private var counters: [Counter?] = Array(repeating: nil, count: 6)
    private let duration: Timer

    init(source: RouteSource) {
        self.source = source
        self.duration = Timer(
            label: "portico_request_duration_seconds",
            dimensions: [("namespace", source.namespace), ("ingress", source.ingress), ("service", source.service)],
            preferredDisplayUnit: .seconds
        )
    }

    func record(statusCode: Int, durationNanoseconds: Int64) {
        let classIndex = min(max(statusCode / 100, 0), 5)
        let counter: Counter
        if let cached = self.counters[classIndex] {
            counter = cached
        } else {
            counter = Counter(
                label: "portico_requests_total",
                dimensions: [
                    ("namespace", self.source.namespace), ("ingress", self.source.ingress),
                    ("service", self.source.service), ("status_class", "\(classIndex)xx"),
                ]
            )
            self.counters[classIndex] = counter
        }
        counter.increment()
        self.duration.recordNanoseconds(durationNanoseconds)
    }
}
