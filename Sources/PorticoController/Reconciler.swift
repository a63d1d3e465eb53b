public import Foundation
public import Logging
public import PorticoModel
public import PorticoRouteTable
public import PorticoRouting
public import PorticoProxy

/// Turns resource events into published routing tables. One instance is driven by one loop
/// (`ReconcileLoop`), so its state needs no locking.
///
/// Errors never empty the table. A bad new object is skipped; a bad update to an object keeps
/// the object's last good version serving: if translation rejects an Ingress that once
/// translated cleanly, that earlier version is put back and translated with everything else.
/// A document a source could not read at all never reaches the store, so the version before it
/// stays too.
public final class Reconciler {
    /// What one publish did, for logs, metrics and tests.
    public struct Publication: Sendable {
        public var generation: UInt64
        /// True when only endpoints were re-resolved (no retranslation).
        public var endpointsOnly: Bool
        /// Every current diagnostic (translation and source), sorted.
        public var diagnostics: [String]
        /// Objects serving an older, good version because their current version was rejected.
        public var keptLastGood: [ObjectKey]
        public var errorCount: Int
        public var warningCount: Int
        /// The Ingresses of our class as of this publication (the ones whose status we own).
        public var ownedIngresses: [NamespacedName] = []
        /// The translation diagnostics behind `diagnostics`, as values (for Events).
        public var findings: [Diagnostic] = []
        /// The store as translated: what the status writer compares its desired status with.
        public var objects: [ObjectKey: SourcedResource] = [:]
        /// Ingresses of our class in the table's input (rejected ones included); zero usually
        /// means a wrong class name, which `ReconcileService` warns about.
        public var ingressCount: Int = 0
        /// Wall time from the store to the published table: translation (or endpoint
        /// resolution), certificates and the swap. What a platform team watches at scale.
        public var buildDuration: Duration = .zero
    }

    private let options: TranslationOptions
    private let routes: RouteTableStore
    private let certificates: CertificateStore?
    private let now: () -> Date
    private let logger: Logger
    private let requiredKinds: Set<ResourceKind>

    private var store = ResourceStore()
    /// Carries each unchanged Ingress's parse from one translation to the next.
    private var memo = TranslationMemo()
    private var lastGood: [ObjectKey: SourcedResource] = [:]
    private var sourceErrors: [SourceErrorKey: SourceError] = [:]
    private var syncedKinds: Set<ResourceKind> = []
    private var pending: ResourceStore.Change = .none
    private var generation: UInt64 = 0
    private var table: RouteTable?
    private var ingressCount = 0
    private var reported: Set<String> = []
    private var batchOpen = false
    private var ownedIngresses: [NamespacedName] = []
    private var findings: [Diagnostic] = []

    /// - Parameters:
    ///   - requiredKinds: the kinds that must have synced before the first publish.
    ///   - certificates: where the table's TLS certificates are compiled and published; nil
    ///     when there is no HTTPS listener.
    ///   - now: the wall clock certificate validity is checked against.
    public init(
        options: TranslationOptions,
        routes: RouteTableStore,
        logger: Logger,
        requiredKinds: Set<ResourceKind> = Set(ResourceKind.allCases),
        certificates: CertificateStore? = nil,
        now: @escaping () -> Date = { Date() }
    ) {
        self.options = options
        self.routes = routes
        self.certificates = certificates
        self.now = now
        self.logger = logger
        self.requiredKinds = requiredKinds
    }

    /// Whether every required kind has synced (the gate before the first publish).
    public var hasSynced: Bool { syncedKinds.isSuperset(of: requiredKinds) }

    /// Whether there are changes to publish.
    public var hasPendingChanges: Bool { pending != .none || (table == nil && hasSynced) }

    /// The last published table, if any.
    public var publishedTable: RouteTable? { table }

    /// Applies one event to the store. Returns what changed; `.synced` events return `.none`
    /// but may open the gate (see `hasPendingChanges`).
    @discardableResult
    public func apply(_ event: ResourceEvent) -> ResourceStore.Change {
        if !batchOpen {
            // A source re-reads what it could not name (a file with a syntax error) in every
            // batch, so errors without a key live for one batch.
            batchOpen = true
            sourceErrors = sourceErrors.filter { $0.key.key != nil }
        }
        let change: ResourceStore.Change
        switch event {
        case .upserted(let object):
            sourceErrors.removeValue(forKey: SourceErrorKey(object.key))
            change = store.upsert(object)
        case .deleted(let key):
            sourceErrors.removeValue(forKey: SourceErrorKey(key))
            change = store.delete(key)
        case .rejected(let key, let error):
            // The store keeps the version it had: nothing is lost to a bad edit.
            sourceErrors[SourceErrorKey(key, error: error)] = error
            if key == nil {
                // Reported now; nothing to retranslate.
                report(["error: \(error)"], keepingOthers: true)
            }
            change = .none
        case .synced(let kinds):
            syncedKinds.formUnion(kinds)
            batchOpen = false
            change = .none
        }
        pending = pending.merged(with: change)
        return change
    }

    /// Translates (or re-resolves endpoints) and publishes. Does nothing before the sync gate.
    @discardableResult
    public func publish() -> Publication? {
        guard hasSynced else { return nil }
        let clock = ContinuousClock()
        let started = clock.now
        var publication = publishChange()
        publication.buildDuration = clock.now - started
        return publication
    }

    private func publishChange() -> Publication {
        let change = table == nil ? .routes : pending
        pending = .none
        generation += 1
        if change == .endpoints, let current = table {
            let endpoints = resolveEndpoints(for: current.clusters.keys, in: store.snapshot)
            let next = current.replacingEndpoints(endpoints, generation: generation)
            table = next
            routes.publish(next)
            return Publication(
                generation: generation, endpointsOnly: true, diagnostics: Array(reported).sorted(),
                keptLastGood: [], errorCount: 0, warningCount: 0,
                ownedIngresses: ownedIngresses, findings: findings, objects: store.objects, ingressCount: ingressCount
            )
        }
        return translateAndPublish()
    }

    private func translateAndPublish() -> Publication {
        var snapshot = store.snapshot
        let first = translate(snapshot, options: options, generation: generation, memo: &memo)
        var result = first
        var kept: [ObjectKey] = []
        for key in first.rejected.sorted() {
            if let good = lastGood[key], good != snapshot.objects[key] {
                snapshot.upsert(good)
                kept.append(key)
            }
        }
        if !kept.isEmpty {
            result = translate(snapshot, options: options, generation: generation, memo: &memo)
        }
        // Diagnostics describe what the user wrote: the rejected versions' own diagnostics, and
        // everything else from the table that is actually served.
        let keptSet = Set(kept)
        let diagnostics = first.diagnostics.filter { keptSet.contains($0.object) }
            + result.diagnostics.filter { !keptSet.contains($0.object) }

        for key in snapshot.ingresses.keys where !result.rejected.contains(key) {
            if let object = snapshot.objects[key] { lastGood[key] = object }
        }
        for key in lastGood.keys where store.objects[key] == nil {
            lastGood.removeValue(forKey: key)
        }

        // Certificates first: a host that starts redirecting to HTTPS has its certificate.
        let certificateProblems = publishCertificates(of: result.table)
        table = result.table
        ingressCount = result.ingresses.count
        routes.publish(result.table)

        var lines = diagnostics.map { diagnostic in
            keptSet.contains(diagnostic.object) && diagnostic.severity == .error
                ? "\(diagnostic.severity): \(diagnostic) (still serving its last good version)"
                : "\(diagnostic.severity): \(diagnostic)"
        }
        lines += sourceErrors.values.map { "error: \($0)" }
        lines += certificateProblems.map { "error: \(located($0))" }
        lines.sort()
        let errors = diagnostics.filter { $0.severity == .error }.count + sourceErrors.count + certificateProblems.count
        report(lines, keepingOthers: false)
        ownedIngresses = result.ingresses
        findings = diagnostics
        return Publication(
            generation: generation, endpointsOnly: false, diagnostics: lines, keptLastGood: kept,
            errorCount: errors,
            warningCount: diagnostics.count - (errors - sourceErrors.count - certificateProblems.count),
            ownedIngresses: ownedIngresses, findings: findings, objects: store.objects, ingressCount: ingressCount
        )
    }

    /// Compiles the table's certificates (a bad Secret keeps its last good certificate, else
    /// its hosts get the default) and publishes them; returns what could not be served.
    private func publishCertificates(of table: RouteTable) -> [CertificateProblem] {
        guard let certificates else { return [] }
        let now = self.now()
        let compilation = certificates.compile(table.certificates, defaultCertificate: table.defaultCertificate, now: now)
        certificates.publish(compilation.set, now: now)
        return compilation.problems
    }

    /// `secrets/web.yaml:3: Secret default/web-tls: ...` in local mode, where the file says more
    /// than the name.
    private func located(_ problem: CertificateProblem) -> String {
        guard let name = NamespacedName(parsing: problem.secret),
            let origin = store.objects[ObjectKey(kind: .secret, name: name)]?.origin,
            case .file = origin
        else { return problem.description }
        return "\(origin): \(problem)"
    }

    /// Logs each diagnostic once, when it first appears; forgets those that went away so that
    /// they are logged again if they come back.
    private func report(_ lines: [String], keepingOthers: Bool) {
        if !keepingOthers {
            reported.formIntersection(lines)
        }
        for line in lines where reported.insert(line).inserted {
            logger.log(level: line.hasPrefix("warning: ") ? .warning : .error, "\(line)")
        }
    }
}

/// Source errors are keyed by object when the source could name it, else by their text.
private struct SourceErrorKey: Hashable {
    let key: ObjectKey?
    let text: String

    init(_ key: ObjectKey) {
        self.key = key
        self.text = ""
    }

    init(_ key: ObjectKey?, error: SourceError) {
        self.key = key
        self.text = key == nil ? "\(error)" : ""
    }
}
