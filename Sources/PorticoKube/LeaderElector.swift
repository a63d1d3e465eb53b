public import Foundation
public import Logging
public import PorticoModel

/// Elects one leader among the replicas with a coordination.k8s.io/v1 Lease, as client-go's
/// leaderelection does: every `retryPeriod` each replica reads the Lease and renews it (the
/// leader) or takes it when free or expired (see `LeaseDecision`). A leader that has not renewed
/// for `renewDeadline` stops leading at once, before the Lease can expire for the others.
/// When the task running `run()` is cancelled (graceful shutdown), a leader releases the Lease
/// so another replica takes over without waiting for it to expire.
public struct LeaderElector: Sendable {
    public let lease: NamespacedName
    public let identity: String
    private let api: any KubernetesAPI
    private let timing: LeaderElectionTiming
    private let leadership: Leadership
    private let reporter: FailureReporter
    private let logger: Logger
    private let now: @Sendable () -> Date

    /// - Parameter now: the wall clock Lease times are written and compared with.
    public init(
        api: any KubernetesAPI,
        lease: NamespacedName,
        identity: String,
        timing: LeaderElectionTiming = LeaderElectionTiming(),
        leadership: Leadership,
        reporter: FailureReporter,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.api = api
        self.lease = lease
        self.identity = identity
        self.timing = timing
        self.leadership = leadership
        self.reporter = reporter
        self.logger = logger
        self.now = now
    }

    /// The identity of a replica: the pod name (`POD_NAME`, from the downward API), else the
    /// host name with a random suffix so that two processes on one host differ.
    public static func identity(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let pod = environment["POD_NAME"], !pod.isEmpty { return pod }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName)_\(suffix)"
    }

    /// Campaigns and renews until cancelled; then releases the Lease if held.
    public func run() async {
        let clock = ContinuousClock()
        var lastRenew: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                if try await attempt() != nil {
                    lastRenew = clock.now
                    if !leadership.isLeader {
                        logger.info("became leader", metadata: ["lease": "\(lease)", "identity": "\(identity)"])
                        leadership.set(true)
                    }
                } else {
                    stepDown(reason: "another replica holds the lease")
                }
                reporter.succeeded(requester: requester)
            } catch {
                if Task.isCancelled { break }
                reporter.failed(APIFailure(error.underlying, verb: error.verb, resource: .leases, namespace: lease.namespace), requester: requester)
            }
            if leadership.isLeader, let renewed = lastRenew, clock.now - renewed >= timing.renewDeadline {
                stepDown(reason: "could not renew the lease within \(timing.renewDeadline)")
            }
            do {
                try await Task.sleep(for: timing.retryPeriod)
            } catch {
                break
            }
        }
        if leadership.isLeader {
            leadership.set(false)
            await release()
        }
    }

    private var requester: String { "lease \(lease)" }

    private func stepDown(reason: String) {
        guard leadership.isLeader else { return }
        leadership.set(false)
        logger.warning("stopped leading: \(reason)", metadata: ["lease": "\(lease)", "identity": "\(identity)"])
    }

    /// One read-decide-write round. Returns the Lease as written when we hold it, nil when
    /// someone else does (409 on our write included: another replica was quicker).
    private func attempt() async throws(LeaseRequestError) -> Lease? {
        let current: Lease?
        do {
            current = try await api.get(.leases, namespace: lease.namespace, name: lease.name, as: Lease.self)
        } catch let error as KubeAPIError where error.httpStatus == 404 {
            current = nil
        } catch {
            throw LeaseRequestError(verb: "get", underlying: error)
        }
        let decision = LeaseDecision.decide(current: current, identity: identity, name: lease, now: now(), leaseSeconds: timing.leaseSeconds)
        do {
            switch decision {
            case .create(let lease):
                return try await api.create(.leases, namespace: self.lease.namespace, lease)
            case .update(let lease):
                return try await api.replace(.leases, namespace: self.lease.namespace, name: self.lease.name, subresource: nil, lease)
            case .heldByOther:
                return nil
            }
        } catch let error as KubeAPIError where error.httpStatus == 409 {
            return nil
        } catch {
            if case .create = decision { throw LeaseRequestError(verb: "create", underlying: error) }
            throw LeaseRequestError(verb: "update", underlying: error)
        }
    }

    /// A failed Lease request and its verb, for the RBAC hint.
    private struct LeaseRequestError: Error {
        let verb: String
        let underlying: any Error
    }

    /// Clears the holder so that another replica takes over at once. Runs in a fresh task
    /// because the calling one is cancelled; a failure only means the others wait out the
    /// lease duration. The Lease is read again first: a renew cancelled in flight may have
    /// been written by the server without our seeing its answer, and releasing with the
    /// resourceVersion we last saw would then be refused with 409.
    private func release() async {
        let api = self.api
        let name = self.lease
        let identity = self.identity
        let now = self.now
        let result = await Task { () async throws -> Bool in
            var attempts = 0
            while true {
                attempts += 1
                let current = try await api.get(.leases, namespace: name.namespace, name: name.name, as: Lease.self)
                guard current.spec?.holderIdentity == identity else { return false }
                do {
                    _ = try await api.replace(.leases, namespace: name.namespace, name: name.name, subresource: nil, LeaseDecision.released(current, now: now()))
                    return true
                } catch let error as KubeAPIError where error.httpStatus == 409 && attempts < 3 {
                    continue
                }
            }
        }.result
        switch result {
        case .success(true): logger.info("released the lease", metadata: ["lease": "\(name)"])
        case .success(false): logger.info("the lease already has another holder; nothing to release", metadata: ["lease": "\(name)"])
        case .failure(let error): logger.warning("could not release the lease; the next leader waits for it to expire", metadata: ["error": "\(error)"])
        }
    }
}
