internal import PorticoModel
internal import PorticoRouteTable

/// Marks the hosts of Ingresses annotated `portico.dev/ssl-passthrough: "true"` (or
/// `nginx.ingress.kubernetes.io/ssl-passthrough`) as TLS passthrough: the HTTPS listener reads
/// the SNI name and splices the connection, unterminated, to the host's backend.
///
/// Passthrough works on the TLS stream, before any HTTP exists, so only the host routes:
/// - the backend is the one of the rule's `/` Prefix path if it has one, else its first path;
///   the other paths are not used for HTTPS;
/// - a rule without a host cannot be passed through (there is no name to match the SNI);
/// - the oldest passthrough Ingress of a host chooses its backend; later ones are reported;
/// - a host that is also in the Ingress's `spec.tls` stays passthrough, and the Secret is not
///   served for it (reported): the backend presents its own certificate;
/// - plain-HTTP requests for the host are still routed by path as usual.
struct PassthroughProcessor: TranslationProcessor {
    static let annotations = ["portico.dev/ssl-passthrough", "nginx.ingress.kubernetes.io/ssl-passthrough"]

    func run(_ state: inout TranslationState) {
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            let source = state.parsed[index].source
            guard Self.isRequested(source.object, report: &state.parsed[index].report) else { continue }
            let ingress = state.parsed[index]
            var chosen: [HostMatch: CandidateRoute] = [:]
            var order: [HostMatch] = []
            for candidate in ingress.routes {
                if let current = chosen[candidate.host] {
                    if current.match != Self.root && candidate.match == Self.root { chosen[candidate.host] = candidate }
                } else {
                    chosen[candidate.host] = candidate
                    order.append(candidate.host)
                }
            }
            var passedThrough: Set<HostMatch> = []
            for host in order {
                guard let candidate = chosen[host] else { continue }
                if host == .any {
                    state.parsed[index].report.warning(
                        candidate.field.description,
                        "TLS passthrough needs a host (there is no SNI name to match); this rule is served as HTTP only"
                    )
                    continue
                }
                if let holder = state.hosts[host]?.passthrough {
                    if holder.owner != ingress.name {
                        state.parsed[index].report.warning(
                            candidate.field.description,
                            "\(describe(host)) is already passed through by Ingress \(holder.owner), which takes precedence"
                        )
                    }
                    continue
                }
                state.hosts[host, default: VirtualHostBuilder()].passthrough = (candidate.backend.cluster, ingress.name)
                state.servedClusters.insert(candidate.backend.cluster)
                passedThrough.insert(host)
            }
            for (tlsIndex, section) in (ingress.source.object.spec?.tls ?? []).enumerated() {
                for host in section.hosts ?? [] {
                    guard case .valid(let match) = HostRule.parse(host), passedThrough.contains(match) else { continue }
                    state.parsed[index].report.warning(
                        "spec.tls[\(tlsIndex)].hosts",
                        "\(describe(match)) is TLS passthrough: its backend terminates TLS, so this Secret is not served for it"
                    )
                }
            }
        }
    }

    private static let root = PathMatch.prefix(written: "/")

    /// Whether either annotation says `"true"`; another value is reported and means false.
    private static func isRequested(_ ingress: Ingress, report: inout ObjectReport) -> Bool {
        var requested = false
        for name in annotations {
            guard let written = ingress.metadata.annotations?[name] else { continue }
            switch written.lowercased() {
            case "true": requested = true
            case "false": ()
            default:
                report.warning("metadata.annotations[\(name)]", "\(quoted(written)) is not \"true\" or \"false\"; it is ignored")
            }
        }
        return requested
    }
}
