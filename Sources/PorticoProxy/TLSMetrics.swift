internal import Metrics

/// Handshake counters: `portico_tls_handshakes_total{result}` and
/// `portico_tls_handshake_errors_total{reason}`. Handles are made once per server.
struct TLSMetrics: Sendable {
    /// Why a handshake failed, as a bounded label set.
    enum FailureReason: String, CaseIterable, Sendable, Error {
        /// Plain HTTP (or other non-TLS bytes) on the TLS port.
        case notTLS = "not_tls"
        /// No TLS version in common (e.g. a TLS 1.2 client with `--ssl-min-version 1.3`).
        case protocolVersion = "protocol_version"
        /// No cipher suite or key-exchange group in common.
        case noSharedCipher = "no_shared_cipher"
        /// The client sent an alert, typically rejecting the certificate.
        case clientAlert = "client_alert"
        /// The client closed the connection before finishing the handshake.
        case closed
        /// The handshake did not finish within the header read timeout.
        case timeout
        case other
    }

    private let succeeded: Counter
    private let failed: Counter
    private let reasons: [FailureReason: Counter]

    /// - Parameter factory: where the counters live; tests pass their own.
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.succeeded = Counter(label: "portico_tls_handshakes_total", dimensions: [("result", "success")], factory: factory)
        self.failed = Counter(label: "portico_tls_handshakes_total", dimensions: [("result", "failure")], factory: factory)
        var reasons: [FailureReason: Counter] = [:]
        for reason in FailureReason.allCases {
            reasons[reason] = Counter(
                label: "portico_tls_handshake_errors_total", dimensions: [("reason", reason.rawValue)], factory: factory
            )
        }
        self.reasons = reasons
    }

    func recordSuccess() {
        succeeded.increment()
    }

    func recordFailure(_ reason: FailureReason) {
        failed.increment()
        reasons[reason]?.increment()
    }

    /// Sorts a handshake error into a reason by the BoringSSL reason code in its text; the
    /// error types of swift-nio-ssl carry no finer structure.
    static func reason(for error: any Error) -> FailureReason {
        let text = String(describing: error).uppercased()
        if text.contains("UNCLEANSHUTDOWN") || text.contains("EOF") { return .closed }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") { return .notTLS }
        if text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") { return .protocolVersion }
        if text.contains("NO_SHARED_CIPHER") || text.contains("NO_SHARED_GROUP") { return .noSharedCipher }
        if text.contains("ALERT") { return .clientAlert }
        return .other
    }
}
