public import Foundation
public import Logging
public import PorticoKube
public import PorticoModel
public import PorticoRouting

/// Posts a core/v1 Event (type Warning) on an Ingress for each diagnostic about it, so that
/// `kubectl describe ingress` says which field was rejected and why. Reason `Rejected` when the
/// whole Ingress is skipped (an error), `ConfigWarning` when only part of it is.
///
/// Each problem is posted once while it lasts: a diagnostic already posted is not posted again
/// until it has gone away and come back. Posting is rate-limited (a token bucket of
/// `perSecond` with bursts of `burst`); what the bucket does not allow now stays unposted and
/// goes out at a later sync. Only the leader records, so replicas do not post the same Event.
public struct EventRecorder: Sendable {
    /// The identity of one posted problem.
    struct Posted: Hashable {
        let object: NamespacedName
        let reason: String
        let message: String
    }

    private let api: any KubernetesAPI
    private let identity: String
    private let logger: Logger
    private let reporter: FailureReporter
    private let perSecond: Double
    private let burst: Double
    private let now: @Sendable () -> Date
    private var posted: Set<Posted> = []
    private var tokens: Double
    private var refilled: ContinuousClock.Instant?
    private var sequence: UInt32 = 0

    public init(
        api: any KubernetesAPI,
        identity: String,
        reporter: FailureReporter,
        logger: Logger,
        perSecond: Double = 5,
        burst: Int = 25,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.api = api
        self.identity = identity
        self.reporter = reporter
        self.logger = logger
        self.perSecond = perSecond
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
        self.now = now
    }

    /// The Events a set of diagnostics calls for: one per Ingress diagnostic, sorted.
    static func wanted(_ findings: [Diagnostic]) -> [Posted] {
        var wanted: [Posted] = []
        for finding in findings where finding.object.kind == .ingress {
            let message = finding.field.isEmpty ? finding.message : "\(finding.field): \(finding.message)"
            let reason = finding.severity == .error ? "Rejected" : "ConfigWarning"
            wanted.append(Posted(object: finding.object.name, reason: reason, message: message))
        }
        return Array(Set(wanted)).sorted { ($0.object, $0.reason, $0.message) < ($1.object, $1.reason, $1.message) }
    }

    /// Posts the Events for `findings` not posted yet. Returns false when some were held back
    /// (rate limit or a failed post), so that the caller syncs again later.
    public mutating func sync(findings: [Diagnostic], objects: [ObjectKey: SourcedResource]) async -> Bool {
        let wanted = Self.wanted(findings)
        posted.formIntersection(wanted)
        var complete = true
        for event in wanted where !posted.contains(event) {
            guard case .ingress(let ingress)? = objects[ObjectKey(kind: .ingress, name: event.object)]?.resource else { continue }
            guard take() else {
                complete = false
                break
            }
            do {
                _ = try await api.create(.events, namespace: event.object.namespace, makeEvent(event, about: ingress))
                posted.insert(event)
                reporter.succeeded(requester: "events")
            } catch {
                reporter.failed(APIFailure(error, verb: "create", resource: .events, namespace: event.object.namespace), requester: "events")
                complete = false
                break
            }
        }
        return complete
    }

    private mutating func take() -> Bool {
        let current = ContinuousClock.now
        if let refilled {
            let elapsed = current - refilled
            tokens = min(burst, tokens + elapsed.inSeconds * perSecond)
        }
        refilled = current
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    private mutating func makeEvent(_ event: Posted, about ingress: Ingress) -> KubernetesEvent {
        let time = now()
        sequence &+= 1
        let stamp = String(UInt64(max(0, time.timeIntervalSince1970) * 1_000_000), radix: 16) + String(sequence, radix: 16)
        let timestamp = MicroTime.format(time).replacingOccurrences(of: #"\.\d+Z$"#, with: "Z", options: .regularExpression)
        return KubernetesEvent(
            metadata: ObjectMeta(name: "\(event.object.name).\(stamp)", namespace: event.object.namespace),
            involvedObject: KubernetesEvent.ObjectReference(
                apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: event.object.namespace,
                name: event.object.name, uid: ingress.metadata.uid, resourceVersion: ingress.metadata.resourceVersion
            ),
            reason: event.reason,
            message: event.message,
            type: "Warning",
            source: KubernetesEvent.Source(component: "portico", host: nil),
            count: 1,
            firstTimestamp: timestamp,
            lastTimestamp: timestamp,
            reportingComponent: "portico.dev/ingress-controller",
            reportingInstance: identity
        )
    }
}
