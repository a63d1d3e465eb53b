public import Logging
public import PorticoModel

/// Mirrors one kind of the API server into `ResourceEvent`s: a paged list, then a watch from the
/// list's resourceVersion, resumed from the last resourceVersion seen (event or bookmark) when
/// the stream ends or drops, and a fresh list when that version is gone (410). `ReflectorState`
/// makes sure a relist emits only differences and a resumed watch repeats nothing.
///
/// Failures are retried forever with `Backoff` (honouring `Retry-After`) and logged once per
/// class through the shared `FailureReporter`; what was emitted stays valid meanwhile, so the
/// last routing table keeps serving while the API server is away.
public struct Reflector<Object: Decodable & Sendable>: Sendable {
    public let resource: APIResource
    public let kind: ResourceKind
    /// Nil lists all namespaces (or a cluster-scoped kind).
    public let namespace: String?
    public let fieldSelector: String?
    private let api: any KubernetesAPI
    private let wrap: @Sendable (Object) -> Resource
    private let timing: ReflectorTiming
    private let reporter: FailureReporter
    private let logger: Logger

    public init(
        api: any KubernetesAPI,
        resource: APIResource,
        kind: ResourceKind,
        namespace: String? = nil,
        fieldSelector: String? = nil,
        timing: ReflectorTiming = ReflectorTiming(),
        reporter: FailureReporter,
        logger: Logger,
        wrap: @escaping @Sendable (Object) -> Resource
    ) {
        self.api = api
        self.resource = resource
        self.kind = kind
        self.namespace = namespace
        self.fieldSelector = fieldSelector
        self.timing = timing
        self.reporter = reporter
        self.logger = logger
        self.wrap = wrap
    }

    /// Who this reflector is in failure reports and logs: `ingresses.networking.k8s.io` plus
    /// its namespace and selector.
    public var requester: String {
        var text = resource.description
        if let namespace { text += " in \(namespace)" }
        if let fieldSelector { text += " (\(fieldSelector))" }
        return text
    }

    /// Lists and watches until the task is cancelled, handing each batch of events to `emit`
    /// in order. A list's events end with `.synced([kind])`.
    public func run(emit: @Sendable ([ResourceEvent]) async -> Void) async {
        var state = ReflectorState(kind: kind)
        var backoff = Backoff(initial: timing.backoffInitial, maximum: timing.backoffMaximum)
        var needsList = true
        while !Task.isCancelled {
            if needsList {
                do {
                    let (items, version) = try await listAll()
                    reporter.succeeded(requester: requester)
                    backoff.reset()
                    let events = state.listed(items, resourceVersion: version)
                    logger.debug("listed", metadata: ["resource": "\(requester)", "resourceVersion": "\(version ?? "")", "events": "\(events.count)"])
                    await emit(events)
                    needsList = false
                } catch {
                    if Task.isCancelled { return }
                    let failure = APIFailure(error, verb: "list", resource: resource, namespace: namespace)
                    reporter.failed(failure, requester: requester)
                    guard await pause(&backoff, after: error) else { return }
                }
                continue
            }
            switch await watchOnce(&state, emit: emit) {
            case .relist:
                logger.debug("resourceVersion gone (410); listing again", metadata: ["resource": "\(requester)"])
                needsList = true
            case .resume(let delivered):
                if delivered { backoff.reset() }
                if !delivered {
                    guard await pause(&backoff, after: nil) else { return }
                }
            case .failed(let error):
                if Task.isCancelled { return }
                let failure = APIFailure(error, verb: "watch", resource: resource, namespace: namespace)
                reporter.failed(failure, requester: requester)
                guard await pause(&backoff, after: error) else { return }
            }
        }
    }

    /// Pages through the collection. A 410 on a continue token (the snapshot expired between
    /// pages) starts over from the first page.
    private func listAll() async throws -> ([ReflectedItem], String?) {
        var items: [ReflectedItem] = []
        var options = ListOptions(fieldSelector: fieldSelector, limit: timing.pageSize)
        var restarts = 0
        while true {
            let page: ObjectList<Lenient<Object>>
            do {
                page = try await api.list(resource, namespace: namespace, options: options, as: Lenient<Object>.self)
            } catch let error as KubeAPIError where error.isGone && options.continueToken != nil && restarts < 3 {
                restarts += 1
                items.removeAll()
                options.continueToken = nil
                continue
            }
            let wrap = self.wrap
            let kind = self.kind
            items += page.items.map { ReflectedItem($0, kind: kind, wrap: wrap) }
            guard let token = page.metadata.continue, !token.isEmpty else {
                return (items, page.metadata.resourceVersion)
            }
            options.continueToken = token
        }
    }

    private enum WatchEnd {
        case relist
        /// The stream ended (or dropped) and the watch resumes from the last version seen;
        /// `delivered` says whether it made progress, else the retry backs off.
        case resume(delivered: Bool)
        case failed(any Error)
    }

    private func watchOnce(_ state: inout ReflectorState, emit: @Sendable ([ResourceEvent]) async -> Void) async -> WatchEnd {
        let options = WatchOptions(
            fieldSelector: fieldSelector,
            resourceVersion: state.resourceVersion,
            timeoutSeconds: Int.random(in: timing.watchTimeoutSeconds),
            allowWatchBookmarks: true
        )
        let clock = ContinuousClock()
        let start = clock.now
        var progressed = false
        let stream = api.watch(resource, namespace: namespace, options: options, as: Lenient<Object>.self)
        do {
            for try await event in stream {
                let change = ReflectorState.WatchChange(event, kind: kind, wrap: wrap)
                switch state.received(change) {
                case .emit(let events):
                    if !progressed {
                        progressed = true
                        reporter.succeeded(requester: requester)
                    }
                    if !events.isEmpty { await emit(events) }
                case .relist:
                    return .relist
                case .failed(let status):
                    return .failed(KubeAPIError(kind: .status, httpStatus: status.code, status: status, message: "watch \(resource): \(status)"))
                }
            }
        } catch let error as KubeAPIError where error.isGone {
            return .relist
        } catch let error as KubeAPIError where error.kind == .transport && progressed {
            // A stream cut after it delivered: resume at once from the last version seen.
            logger.debug("watch dropped; resuming", metadata: ["resource": "\(requester)", "error": "\(error)"])
            return .resume(delivered: true)
        } catch {
            return .failed(error)
        }
        if !progressed { reporter.succeeded(requester: requester) }
        return .resume(delivered: progressed || clock.now - start >= timing.minimumWatchDuration)
    }

    /// Sleeps out the next backoff step; false when cancelled.
    private func pause(_ backoff: inout Backoff, after error: (any Error)?) async -> Bool {
        let apiError = error as? KubeAPIError
        let retryAfter: Duration? = apiError?.retryAfter ?? apiError?.status?.details?.retryAfterSeconds.map { Duration.seconds($0) }
        let delay = backoff.next(retryAfter: retryAfter)
        do {
            try await Task.sleep(for: delay)
            return true
        } catch {
            return false
        }
    }
}
