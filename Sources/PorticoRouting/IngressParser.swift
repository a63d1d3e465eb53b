internal import PorticoModel
internal import PorticoRouteTable

/// Validates every Ingress of our class on its own: hosts, paths, path types and backends.
///
/// Nothing is merged here. An Ingress with any error is marked rejected as a whole, so that the
/// later processors compile none of its routes; one with only warnings keeps the rest.
struct IngressParser: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        let snapshot = state.snapshot
        state.parsed = state.ingresses.map { Self.parse($0, snapshot: snapshot) }
    }

    static func parse(_ source: SourcedObject<Ingress>, snapshot: ResourceSnapshot) -> ParsedIngress {
        var parsed = ParsedIngress(source: source)
        let namespace = source.key.name.namespace
        guard let spec = source.object.spec else { return parsed }

        if let backend = spec.defaultBackend {
            let outcome = BackendRule.parse(
                backend, field: { "spec.defaultBackend" }, namespace: namespace, snapshot: snapshot, report: &parsed.report
            )
            if case .service(let resolved) = outcome { parsed.defaultBackend = resolved }
        }

        var seenHosts: Set<HostMatch> = []
        for (ruleIndex, rule) in (spec.rules ?? []).enumerated() {
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
                let outcome = BackendRule.parse(
                    path.backend, field: { "\(field).backend" }, namespace: namespace, snapshot: snapshot,
                    report: &parsed.report
                )
                guard let match, case .service(let backend) = outcome else { continue }
                parsed.routes.append(CandidateRoute(host: host, match: match, backend: backend, field: field))
            }
        }
        return parsed
    }
}
