public import Logging
public import PorticoKube
internal import PorticoModel
public import ServiceLifecycle
internal import Synchronization

/// Reports each published translation back to the cluster while this replica leads: Ingress
/// status (`StatusWriter`) and Events for rejected parts (`EventRecorder`).
///
/// The reconcile loop hands over publications with `offer` and never waits: only the latest one
/// is kept, so a slow API server cannot hold up publishing tables. A sync runs when a
/// publication arrives, when this replica becomes leader (status written by the previous
/// leader is checked again), and after `retryDelay` when something could not be written.
public final class ClusterReportingService: ServiceLifecycle.Service, Sendable {
    private let settings: ClusterSettings
    private let api: any KubernetesAPI
    private let leadership: Leadership
    private let reporter: FailureReporter
    private let logger: Logger
    private let retryDelay: Duration
    private let latest = Mutex<Reconciler.Publication?>(nil)
    private let pokes: AsyncStream<Void>
    private let poke: AsyncStream<Void>.Continuation

    public init(
        settings: ClusterSettings,
        api: any KubernetesAPI,
        leadership: Leadership,
        reporter: FailureReporter,
        logger: Logger,
        retryDelay: Duration = .seconds(1)
    ) {
        self.settings = settings
        self.api = api
        self.leadership = leadership
        self.reporter = reporter
        self.logger = logger
        self.retryDelay = retryDelay
        (pokes, poke) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Hands over a publication (called from the reconcile loop; returns at once).
    public func offer(_ publication: Reconciler.Publication) {
        guard !publication.endpointsOnly else { return }
        latest.withLock { $0 = publication }
        poke.yield()
    }

    public func run() async throws {
        let leadership = self.leadership
        let poke = self.poke
        let retryDelay = self.retryDelay
        await cancelWhenGracefulShutdown {
            var status = StatusWriter(api: self.api, leadership: leadership, reporter: self.reporter, logger: self.logger)
            var events = EventRecorder(
                api: self.api, identity: self.settings.identity, reporter: self.reporter, logger: self.logger,
                perSecond: self.settings.eventsPerSecond, burst: self.settings.eventBurst
            )
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await leading in leadership.changes() where leading { poke.yield() }
                }
                for await _ in self.pokes {
                    guard let publication = self.latest.withLock({ $0 }) else { continue }
                    let complete = await self.sync(publication, status: &status, events: &events)
                    if !complete {
                        group.addTask {
                            try? await Task.sleep(for: retryDelay)
                            poke.yield()
                        }
                    }
                }
                group.cancelAll()
            }
        }
        poke.finish()
    }

    /// One pass; false when something is left to retry.
    private func sync(_ publication: Reconciler.Publication, status: inout StatusWriter, events: inout EventRecorder) async -> Bool {
        let addresses = StatusPlan.addresses(
            statusAddresses: settings.publishStatusAddresses,
            publishService: settings.publishService,
            objects: publication.objects
        )
        guard leadership.isLeader else {
            // Followers still track which Ingresses are ours, for clearing after a takeover.
            if let addresses { _ = await status.sync(owned: publication.ownedIngresses, objects: publication.objects, addresses: addresses) }
            return true
        }
        var complete = true
        if let addresses {
            complete = await status.sync(owned: publication.ownedIngresses, objects: publication.objects, addresses: addresses)
        }
        let posted = await events.sync(findings: publication.findings, objects: publication.objects)
        return complete && posted
    }
}
