internal import PorticoModel
internal import PorticoRouteTable

/// Merges the routes of every accepted Ingress into one virtual host per host.
///
/// Ingresses arrive oldest first, so the first claim on a host + path is the winner; every later
/// claim is reported against the loser's path, naming the winner. Prefix `/foo` and `/foo/` are
/// the same match once normalised and so conflict.
struct RuleProcessor: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        var conflicts: [(candidate: CandidateRoute, winner: VirtualHostBuilder.Claim)] = []
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            // Only the fields needed: copying the whole parse retains every field of it.
            let routes = state.parsed[index].routes
            let name = state.parsed[index].name
            // A rule's paths share its host: one host lookup per run of them, not one per path.
            var start = routes.startIndex
            while start < routes.endIndex {
                let host = routes[start].host
                var end = routes.index(after: start)
                while end < routes.endIndex, routes[end].host == host { end = routes.index(after: end) }
                state.hosts[host, default: VirtualHostBuilder()]
                    .claim(routes[start..<end], owner: name, served: &state.servedClusters, conflicts: &conflicts)
                start = end
            }
            for (candidate, winner) in conflicts {
                let holder = winner.owner == name ? "this Ingress" : "Ingress \(winner.owner)"
                state.parsed[index].report.warning(
                    candidate.field.description,
                    "\(describe(candidate.match)) on \(describe(candidate.host)) is already served by \(holder) "
                        + "(\(winner.field)), which takes precedence; this path is ignored"
                )
            }
            conflicts.removeAll(keepingCapacity: true)
        }
    }
}

extension VirtualHostBuilder {
    /// Claims each candidate of one Ingress for this host, in order; each that is already held
    /// goes to `conflicts` with the claim that holds it, and each that wins adds its cluster to
    /// `served`.
    mutating func claim(
        _ candidates: ArraySlice<CandidateRoute>,
        owner: NamespacedName,
        served: inout Set<ClusterID>,
        conflicts: inout [(candidate: CandidateRoute, winner: Claim)]
    ) {
        reserveForFirstClaims(candidates.count)
        for candidate in candidates {
            if let winner = claim(candidate.route, owner: owner, field: candidate.field) {
                conflicts.append((candidate, winner))
            } else {
                served.insert(candidate.backend.cluster)
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
