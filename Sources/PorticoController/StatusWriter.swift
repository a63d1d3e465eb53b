public import Logging
public import PorticoKube
public import PorticoModel

/// Writes `status.loadBalancer.ingress` on Ingresses (PUT to the `status` subresource) as
/// `StatusPlan` decides, and only while this replica leads: it checks leadership before every
/// write, so a replica that lost its Lease stops writing at once.
///
/// A write carries the stored resourceVersion; on 409 Conflict it reads the Ingress again and
/// retries (at most three times) if the status still differs. A write of ours that has not come
/// back through the watch yet is not repeated.
public struct StatusWriter: Sendable {
    private let api: any KubernetesAPI
    private let leadership: Leadership
    private let reporter: FailureReporter
    private let logger: Logger
    /// The Ingresses of our class at the last sync, for clearing those that leave it.
    private var previouslyOwned: Set<NamespacedName> = []
    /// Per Ingress: the resourceVersion we wrote over and what we wrote, until the watch
    /// brings a newer version.
    private var inFlight: [NamespacedName: (over: String, addresses: [LoadBalancerStatus.Ingress])] = [:]

    public init(api: any KubernetesAPI, leadership: Leadership, reporter: FailureReporter, logger: Logger) {
        self.api = api
        self.leadership = leadership
        self.reporter = reporter
        self.logger = logger
    }

    /// Brings status in line with one publication. Returns false when a write failed for a
    /// reason worth retrying later (the caller schedules another sync).
    public mutating func sync(
        owned: [NamespacedName],
        objects: [ObjectKey: SourcedResource],
        addresses: [LoadBalancerStatus.Ingress]
    ) async -> Bool {
        defer { previouslyOwned = Set(owned) }
        let changes = StatusPlan.changes(owned: owned, previouslyOwned: previouslyOwned, objects: objects, addresses: addresses)
        var complete = true
        for change in changes {
            guard leadership.isLeader else { return true }
            guard case .ingress(let stored)? = objects[ObjectKey(kind: .ingress, name: change.ingress)]?.resource else { continue }
            let version = stored.metadata.resourceVersion ?? ""
            if let pending = inFlight[change.ingress], pending.over == version, pending.addresses == change.addresses { continue }
            if await write(change, over: stored) {
                inFlight[change.ingress] = (version, change.addresses)
            } else {
                complete = false
            }
        }
        // Forget writes the watch has confirmed (the stored version moved on).
        inFlight = inFlight.filter { name, pending in
            guard case .ingress(let stored)? = objects[ObjectKey(kind: .ingress, name: name)]?.resource else { return false }
            return stored.metadata.resourceVersion == pending.over
        }
        return complete
    }

    /// One status write with bounded conflict retries. True when written or no longer needed.
    private func write(_ change: StatusPlan.Change, over stored: Ingress) async -> Bool {
        var ingress = stored
        for _ in 0..<3 {
            ingress.status = Ingress.Status(loadBalancer: LoadBalancerStatus(ingress: change.addresses))
            do {
                _ = try await api.replace(
                    .ingresses, namespace: change.ingress.namespace, name: change.ingress.name, subresource: "status", ingress
                )
                reporter.succeeded(requester: "ingress status")
                logger.info(
                    change.addresses.isEmpty ? "cleared Ingress status" : "wrote Ingress status",
                    metadata: ["ingress": "\(change.ingress)", "addresses": "\(change.addresses.map { $0.ip ?? $0.hostname ?? "" })"]
                )
                return true
            } catch let error as KubeAPIError where error.httpStatus == 409 {
                do {
                    ingress = try await api.get(.ingresses, namespace: change.ingress.namespace, name: change.ingress.name, as: Ingress.self)
                } catch let error as KubeAPIError where error.httpStatus == 404 {
                    return true
                } catch {
                    reporter.failed(APIFailure(error, verb: "get", resource: .ingresses, namespace: change.ingress.namespace), requester: "ingress status")
                    return false
                }
                let current = StatusPlan.normalized(ingress.status?.loadBalancer?.ingress ?? [])
                if current == change.addresses { return true }
                guard leadership.isLeader else { return true }
            } catch let error as KubeAPIError where error.httpStatus == 404 {
                return true
            } catch {
                reporter.failed(APIFailure(error, verb: "update", resource: Self.ingressStatus, namespace: change.ingress.namespace), requester: "ingress status")
                return false
            }
        }
        logger.warning("Ingress status kept conflicting; trying again later", metadata: ["ingress": "\(change.ingress)"])
        return false
    }

    /// `ingresses/status` as RBAC names the subresource.
    static let ingressStatus = APIResource(group: "networking.k8s.io", version: "v1", plural: "ingresses/status", kind: "Ingress", isNamespaced: true)
}
