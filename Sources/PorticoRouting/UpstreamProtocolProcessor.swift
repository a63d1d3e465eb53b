internal import PorticoModel
internal import PorticoRouteTable

/// Decides how the proxy speaks to each cluster: HTTP/1.1 or HTTP/2, cleartext or TLS, and
/// how TLS is verified.
///
/// - The Ingress annotation `portico.dev/backend-protocol` (or ingress-nginx's) wins over the
///   Service port's `appProtocol`.
/// - The protocol belongs to the Service port, not to a route, so when several Ingresses route
///   to one port the oldest Ingress that sets any upstream annotation decides; a younger one
///   asking for something else is reported and ignored for that port.
/// - A named CA Secret that is missing or unusable fails closed: the cluster's requests get
///   502 rather than an unverified connection (see `UpstreamTLS.Verification.unavailable`).
struct UpstreamProtocolProcessor: TranslationProcessor {
    private struct Decision {
        let request: UpstreamRequest
        let owner: Int
    }

    func run(_ state: inout TranslationState) {
        guard !state.clusters.isEmpty else { return }
        var decisions: [ClusterID: Decision] = [:]
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            guard let annotations = state.parsed[index].source.object.metadata.annotations, !annotations.isEmpty else { continue }
            let request = UpstreamAnnotations.parse(
                annotations, namespace: state.parsed[index].name.namespace, report: &state.parsed[index].report
            )
            guard !request.isEmpty else { continue }
            for id in Self.clusters(of: state.parsed[index]) where state.clusters[id] != nil {
                guard let holder = decisions[id] else {
                    decisions[id] = Decision(request: request, owner: index)
                    continue
                }
                guard holder.request != request, holder.owner != index else { continue }
                state.parsed[index].report.warning(
                    "metadata.annotations[\(request.differingAnnotation(from: holder.request))]",
                    "Service port \(id) already follows the upstream annotations of Ingress \(state.parsed[holder.owner].name), "
                        + "which is older; this Ingress's differ and are ignored for it"
                )
            }
        }
        // Only decided clusters can report, so only they are visited in a fixed order (the
        // diagnostics name the first cluster that shows a problem); sorting all of 10,000
        // clusters on every translation would cost more than resolving them.
        var reported: Set<String> = []
        for id in decisions.keys.sorted() {
            self.update(id, decision: decisions[id], state: &state, reported: &reported)
        }
        for id in state.clusters.keys where decisions[id] == nil {
            self.update(id, decision: nil, state: &state, reported: &reported)
        }
    }

    private func update(_ id: ClusterID, decision: Decision?, state: inout TranslationState, reported: inout Set<String>) {
        guard let cluster = state.clusters[id] else { return }
        let upstream = resolve(id, decision: decision, state: &state, reported: &reported)
        if !upstream.isPlainHTTP1 {
            state.clusters[id] = Cluster(id: id, serviceExists: cluster.serviceExists, upstream: upstream)
        }
    }

    /// The clusters an Ingress routes to, each once, in the order its fields name them.
    private static func clusters(of ingress: ParsedIngress) -> [ClusterID] {
        var seen: Set<ClusterID> = []
        var ids: [ClusterID] = []
        if let backend = ingress.defaultBackend, seen.insert(backend.cluster).inserted { ids.append(backend.cluster) }
        for route in ingress.routes where seen.insert(route.backend.cluster).inserted { ids.append(route.backend.cluster) }
        return ids
    }

    private func resolve(
        _ id: ClusterID,
        decision: Decision?,
        state: inout TranslationState,
        reported: inout Set<String>
    ) -> UpstreamProtocol {
        let request = decision?.request ?? UpstreamRequest()
        let version: UpstreamProtocol.Version
        let usesTLS: Bool
        if let kind = request.kind {
            (version, usesTLS) = (kind.version, kind.usesTLS)
        } else {
            let ports = state.snapshot.servicePorts(NamespacedName(namespace: id.namespace, name: id.service))
            let port = ports.flatMap { ServicePortLookup.find(clusterPort: id.port, in: $0) }
            let choice = AppProtocolRule.choice(port?.appProtocol)
            (version, usesTLS) = (choice.version, choice.usesTLS)
        }
        guard usesTLS else {
            if let decision, request.secret != nil || request.serverName != nil,
                reported.insert("\(decision.owner)|plain").inserted
            {
                let annotation = request.secret != nil ? UpstreamAnnotations.proxySSLSecret : UpstreamAnnotations.proxySSLName
                state.parsed[decision.owner].report.warning(
                    "metadata.annotations[\(annotation)]",
                    "has no effect on Service port \(id): its backend protocol is cleartext"
                )
            }
            return UpstreamProtocol(version: version)
        }
        let serverName = request.serverName ?? "\(id.service).\(id.namespace).svc"
        guard let secretName = request.secret, let decision else {
            return UpstreamProtocol(version: version, tls: UpstreamTLS(serverName: serverName, verification: .none))
        }
        let verification: UpstreamTLS.Verification
        var clientCertificate: PEMMaterial?
        let reason: String?
        if let secret = state.snapshot.secrets[secretName] {
            switch UpstreamCASecretReader.read(secret.object) {
            case .success(let material):
                verification = .certificateAuthority(pem: material.certificateAuthority)
                clientCertificate = material.clientCertificate
                reason = nil
            case .failure(let problem):
                reason = "Secret \(secretName): \(problem.field) \(problem.message)"
                verification = .unavailable(reason: reason ?? "")
            }
        } else {
            reason = "Secret \(secretName) does not exist"
            verification = .unavailable(reason: reason ?? "")
        }
        if let reason, reported.insert("\(decision.owner)|\(secretName)").inserted {
            state.parsed[decision.owner].report.warning(
                "metadata.annotations[\(UpstreamAnnotations.proxySSLSecret)]",
                "\(reason); requests to its Services get 502 until it holds a CA (a named CA is never skipped)"
            )
        }
        return UpstreamProtocol(
            version: version,
            tls: UpstreamTLS(
                serverName: serverName, verification: verification, clientCertificate: clientCertificate,
                secret: secretName.description
            )
        )
    }
}
