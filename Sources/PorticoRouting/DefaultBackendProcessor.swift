internal import PorticoModel
internal import PorticoRouteTable

/// Places default backends: an Ingress's `spec.defaultBackend` becomes the fallback of every
/// host its rules name, and the oldest one becomes the table's default route. Without any,
/// the controller's `defaultBackendService` is the default route; without that, unmatched
/// requests get 404.
///
/// The fallback is per host because a team's default backend should catch what its own hosts
/// do not route, never another team's traffic; only the oldest Ingress's reaches the whole
/// table, the same rule as for path conflicts.
struct DefaultBackendProcessor: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        var tableDefault: (owner: NamespacedName, route: Route)?
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            guard let backend = state.parsed[index].defaultBackend else { continue }
            let ingress = state.parsed[index]
            let route = ingress.route(for: backend, match: .prefix(written: "/"))
            for host in ingress.hosts {
                if let holder = state.hosts[host]?.fallback {
                    state.parsed[index].report.warning(
                        "spec.defaultBackend",
                        "\(describe(host)) already falls back to the default backend of Ingress \(holder.owner), "
                            + "which takes precedence; this one is not used there"
                    )
                } else {
                    state.hosts[host, default: VirtualHostBuilder()].fallback =
                        VirtualHostBuilder.Claim(route: route, owner: ingress.name, field: .defaultBackend)
                    state.servedClusters.insert(backend.cluster)
                }
            }
            if let holder = tableDefault {
                state.parsed[index].report.warning(
                    "spec.defaultBackend",
                    "the default backend for unmatched hosts is that of Ingress \(holder.owner), which takes "
                        + "precedence; this one serves only this Ingress's hosts"
                )
            } else {
                tableDefault = (ingress.name, route)
            }
        }
        if let tableDefault {
            state.defaultRoute = tableDefault.route
        } else if let service = state.options.defaultBackendService {
            state.defaultRoute = controllerDefault(service, state: &state)
        }
    }

    /// The route to `--default-backend-service`. A missing Service or port is reported against
    /// the Service and still routed (503), as for an Ingress backend.
    private func controllerDefault(_ name: NamespacedName, state: inout TranslationState) -> Route {
        let key = ObjectKey(kind: .service, name: name)
        let sourced = state.snapshot.services[name]
        let origin = sourced?.origin ?? .apiServer
        var port = state.options.defaultBackendPort?.description ?? ""
        if let service = sourced?.object {
            if let reference = state.options.defaultBackendPort {
                if ServicePortLookup.find(reference, in: service.spec?.ports ?? []) == nil {
                    state.diagnostics.append(Diagnostic(
                        severity: .warning, object: key, origin: origin, field: "spec.ports",
                        message: "the default backend Service has no port \(quoted(reference.description)); requests get 503"
                    ))
                }
            } else if let first = service.spec?.ports?.first {
                port = String(first.port)
            } else {
                state.diagnostics.append(Diagnostic(
                    severity: .warning, object: key, origin: origin, field: "spec.ports",
                    message: "the default backend Service has no ports; requests get 503"
                ))
            }
        } else {
            state.diagnostics.append(Diagnostic(
                severity: .warning, object: key, origin: origin, field: "",
                message: "the default backend Service does not exist; requests get 503"
            ))
        }
        return Route(
            match: .prefix(written: "/"),
            backend: .cluster(ClusterID(namespace: name.namespace, service: name.name, port: port)),
            source: RouteSource(namespace: name.namespace, ingress: "", service: name.name)
        )
    }
}
