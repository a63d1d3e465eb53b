internal import PorticoModel
internal import PorticoRouteTable

/// Validates every Ingress of our class on its own: hosts, paths, path types and backends.
///
/// Nothing is merged here. An Ingress with any error is marked rejected as a whole, so that the
/// later processors compile none of its routes; one with only warnings keeps the rest.
///
/// What an Ingress says about itself is worked out once per version of it: the memo hands the
/// last translation's parse of an unchanged Ingress (the same `SourcedObject`) to this one.
/// Only the Services its backends name are looked up again, since they change on their own.
struct IngressParser: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        let snapshot = state.snapshot
        let previous = state.memo.parsed
        var next: [ObjectKey: ParsedIngress] = [:]
        next.reserveCapacity(state.ingresses.count)
        // Ten paths to one Service port are one lookup, not ten. Keyed by the port as written
        // too: a port name that looks like a number spells the same cluster as that number.
        var presence: [PresenceKey: BackendRule.Presence] = [:]
        state.parsed = state.ingresses.map { source in
            let reused = previous[source.key].flatMap { $0.source === source ? $0 : nil }
            var parsed = reused ?? Self.parse(source)
            next[source.key] = parsed
            func look(up backend: ResolvedBackend, field: IngressField) {
                let found: BackendRule.Presence
                let key = PresenceKey(cluster: backend.cluster, port: backend.port)
                if let known = presence[key] {
                    found = known
                } else {
                    found = BackendRule.presence(of: backend, in: snapshot)
                    presence[key] = found
                }
                BackendRule.report(found, of: backend, field: { field.backendField }, report: &parsed.report)
            }
            for reference in parsed.unroutedReferences { look(up: reference.backend, field: reference.field) }
            for candidate in parsed.routes { look(up: candidate.backend, field: candidate.field) }
            return parsed
        }
        state.memo.parsed = next
    }

    /// How many distinct backends of one Ingress are remembered for sharing: a bound on the
    /// linear search each path does, far above what an Ingress usually names.
    static let sharedBackendLimit = 16

    /// Everything the Ingress says on its own, before any Service is looked up.
    static func parse(_ source: SourcedObject<Ingress>) -> ParsedIngress {
        var parsed = ParsedIngress(source: source)
        let namespace = source.key.name.namespace
        guard let spec = source.object.spec else { return parsed }
        // Paths to the same Service port share one `ClusterID` box rather than one each.
        var distinct: [ResolvedBackend] = []

        if let backend = spec.defaultBackend {
            let outcome = BackendRule.parse(backend, field: { "spec.defaultBackend" }, namespace: namespace, report: &parsed.report)
            if case .service(let resolved) = outcome {
                parsed.defaultBackend = resolved
                distinct.append(resolved)
                parsed.unroutedReferences.append(ServiceReference(backend: resolved, field: .defaultBackend))
            }
        }

        let rules = spec.rules ?? []
        parsed.routes.reserveCapacity(rules.reduce(0) { $0 + ($1.http?.paths.count ?? 0) })
        var seenHosts: Set<HostMatch> = []
        for (ruleIndex, rule) in rules.enumerated() {
            let host: HostMatch
            switch HostRule.parse(rule.host) {
            case .valid(let match): host = match
            case .invalid(let message):
                parsed.report.error("spec.rules[\(ruleIndex)].host", message)
                continue
            }
            if seenHosts.insert(host).inserted { parsed.hosts.append(host) }
            for (pathIndex, path) in (rule.http?.paths ?? []).enumerated() {
                let field = IngressField.path(rule: ruleIndex, path: pathIndex)
                let match: PathMatch?
                switch PathRule.parse(path: path.path, pathType: path.pathType) {
                case .valid(let value): match = value
                case .invalid(let name, let message):
                    parsed.report.error("\(field).\(name)", message)
                    match = nil
                }
                let outcome = BackendRule.parse(path.backend, field: { field.backendField }, namespace: namespace, report: &parsed.report)
                guard case .service(let written) = outcome else { continue }
                let backend: ResolvedBackend
                if let known = distinct.first(where: { $0 == written }) {
                    backend = known
                } else {
                    backend = written
                    if distinct.count < Self.sharedBackendLimit { distinct.append(written) }
                }
                guard let match else {
                    parsed.unroutedReferences.append(ServiceReference(backend: backend, field: field))
                    continue
                }
                parsed.routes.append(CandidateRoute(
                    host: host, backend: backend, field: field, route: parsed.route(for: backend, match: match)
                ))
            }
        }
        return parsed
    }
}

/// A backend's Service port as looked up: the cluster and the port as the backend names it.
private struct PresenceKey: Hashable {
    let cluster: ClusterID
    let port: ServicePortReference
}
