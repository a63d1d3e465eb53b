internal import PorticoModel
internal import PorticoRouteTable

/// Merges the routes of every accepted Ingress into one virtual host per host.
///
/// Ingresses arrive oldest first, so the first claim on a host + path is the winner; every later
/// claim is reported against the loser's path, naming the winner. Prefix `/foo` and `/foo/` are
/// the same match once normalised and so conflict.
struct RuleProcessor: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            // Only the fields needed: copying the whole parse retains every field of it.
            let routes = state.parsed[index].routes
            let name = state.parsed[index].name
            for candidate in routes {
                let winner = state.hosts[candidate.host, default: VirtualHostBuilder()]
                    .claim(candidate.match, route: candidate.route, owner: name, field: candidate.field)
                guard let winner else {
                    state.servedClusters.insert(candidate.backend.cluster)
                    continue
                }
                let holder = winner.owner == name ? "this Ingress" : "Ingress \(winner.owner)"
                state.parsed[index].report.warning(
                    candidate.field.description,
                    "\(describe(candidate.match)) on \(describe(candidate.host)) is already served by \(holder) "
                        + "(\(winner.field)), which takes precedence; this path is ignored"
                )
            }
        }
    }
}

/// `Prefix "/foo"` or `Exact "/foo"`, as a person wrote it.
func describe(_ match: PathMatch) -> String {
    switch match {
    case .exact(let path): "Exact \(quoted(path))"
    case .prefix: "Prefix \(quoted(match.path))"
    }
}

/// `host "example.com"`, or `any host` for rules without one.
func describe(_ host: HostMatch) -> String {
    switch host {
    case .any: "any host"
    case .exact, .wildcard: "host \(quoted(host.description))"
    }
}
