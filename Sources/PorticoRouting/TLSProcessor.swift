internal import PorticoModel
internal import PorticoRouteTable

/// Turns the TLS sections of accepted Ingresses into certificates by SNI name, and marks the
/// virtual hosts that redirect plain HTTP and send HSTS.
///
/// - A host listed in several TLS sections keeps the Secret of the oldest Ingress; later ones
///   are reported. Hosts in `spec.tls` need no rule.
/// - A missing or unusable Secret is reported and never rejects the Ingress: its hosts get the
///   default certificate (or, for a bad update, the proxy keeps the last good one), and every
///   route still serves.
/// - A host listed in a TLS section (or covered by a wildcard TLS host) redirects plain HTTP
///   unless `portico.dev/ssl-redirect: "false"`; `portico.dev/force-ssl-redirect: "true"`
///   redirects without TLS. The oldest Ingress naming a host decides its annotations, the same
///   rule as for paths. Without the annotation, the controller ConfigMap's `ssl-redirect` and
///   `force-ssl-redirect` decide, and its `hsts` decides whether TLS hosts send HSTS.
struct TLSProcessor: TranslationProcessor {
    static let sslRedirectAnnotation = "portico.dev/ssl-redirect"
    static let forceSSLRedirectAnnotation = "portico.dev/force-ssl-redirect"

    private struct HostClaim {
        let secret: NamespacedName
        let owner: NamespacedName
    }

    func run(_ state: inout TranslationState) {
        var claims: [String: HostClaim] = [:]
        var referencedBy: [NamespacedName: Set<String>] = [:]
        var tlsHosts: Set<String> = []
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            let ingress = state.parsed[index]
            for (tlsIndex, section) in (ingress.source.object.spec?.tls ?? []).enumerated() {
                let hosts = validHosts(section, tlsIndex: tlsIndex, report: &state.parsed[index].report)
                tlsHosts.formUnion(hosts)
                guard let secretName = section.secretName, !secretName.isEmpty else {
                    if !hosts.isEmpty {
                        state.parsed[index].report.warning(
                            "spec.tls[\(tlsIndex)].secretName",
                            "names no Secret; \(list(hosts)) get the default certificate"
                        )
                    }
                    continue
                }
                let secret = NamespacedName(namespace: ingress.name.namespace, name: secretName)
                guard state.snapshot.secrets[secret] != nil else {
                    state.parsed[index].report.warning(
                        "spec.tls[\(tlsIndex)].secretName",
                        "Secret \(secret) does not exist; \(list(hosts)) get the default certificate"
                    )
                    continue
                }
                for host in hosts {
                    if let holder = claims[host] {
                        if holder.secret != secret {
                            let who = holder.owner == ingress.name ? "this Ingress" : "Ingress \(holder.owner)"
                            state.parsed[index].report.warning(
                                "spec.tls[\(tlsIndex)].hosts",
                                "host \(quoted(host)) already uses Secret \(holder.secret) of \(who), which takes precedence"
                            )
                        }
                        continue
                    }
                    claims[host] = HostClaim(secret: secret, owner: ingress.name)
                    referencedBy[secret, default: []].insert(host)
                }
            }
        }
        var certificates: [ServerCertificateSource] = []
        for name in referencedBy.keys.sorted() {
            if let source = source(name, hosts: referencedBy[name, default: []].sorted(), state: &state) {
                certificates.append(source)
            }
        }
        state.certificates = certificates
        if let name = state.options.defaultSSLCertificate {
            if state.snapshot.secrets[name] != nil {
                state.defaultCertificate = source(name, hosts: [], state: &state)
            } else {
                state.diagnostics.append(Diagnostic(
                    severity: .warning, object: ObjectKey(kind: .secret, name: name), origin: .apiServer, field: "",
                    message: "the default certificate Secret does not exist; the generated certificate is served"
                ))
            }
        }
        markSecureHosts(tlsHosts: tlsHosts, state: &state)
    }

    /// The section's hosts, normalised; invalid ones are reported and left out.
    private func validHosts(_ section: Ingress.TLS, tlsIndex: Int, report: inout ObjectReport) -> [String] {
        var hosts: [String] = []
        for (hostIndex, written) in (section.hosts ?? []).enumerated() {
            switch HostRule.parse(written) {
            case .valid(.any):
                report.warning("spec.tls[\(tlsIndex)].hosts[\(hostIndex)]", "is empty; it is ignored")
            case .valid(let match):
                if !hosts.contains(match.description) { hosts.append(match.description) }
            case .invalid(let message):
                report.warning("spec.tls[\(tlsIndex)].hosts[\(hostIndex)]", "\(message); it is ignored")
            }
        }
        if section.hosts?.isEmpty ?? true {
            report.warning("spec.tls[\(tlsIndex)].hosts", "lists no hosts; this TLS section is not used")
        }
        return hosts
    }

    /// The certificate source for one Secret; an unusable Secret is reported against itself and
    /// passed on without material so that the proxy can keep its last good certificate.
    private func source(_ name: NamespacedName, hosts: [String], state: inout TranslationState) -> ServerCertificateSource? {
        guard let sourced = state.snapshot.secrets[name] else { return nil }
        switch TLSSecretReader.read(sourced.object) {
        case .material(let material):
            return ServerCertificateSource(secret: name.description, hosts: hosts, material: material)
        case .unusable(let field, let message):
            let who = hosts.isEmpty ? "the default certificate" : list(hosts)
            state.diagnostics.append(Diagnostic(
                severity: .error, object: sourced.key, origin: sourced.origin, field: field,
                message: "\(message); \(who) keep the last good certificate of this Secret, else get the default one"
            ))
            return ServerCertificateSource(secret: name.description, hosts: hosts, material: nil)
        }
    }

    /// Sets redirect and HSTS on every virtual host, the oldest Ingress naming a host deciding
    /// its annotations.
    ///
    /// One lookup per host an Ingress names: the host's builder remembers whether it was
    /// decided, where a set of decided hosts beside it cost two more hashes of every host name.
    private func markSecureHosts(tlsHosts: Set<String>, state: inout TranslationState) {
        let settings = state.settings
        for index in state.parsed.indices where !state.parsed[index].isRejected {
            let hosts = state.parsed[index].hosts
            let annotations = state.parsed[index].source.object.metadata.annotations ?? [:]
            let sslRedirect = flag(
                Self.sslRedirectAnnotation, annotations, default: settings.sslRedirect, report: &state.parsed[index].report
            )
            let force = flag(
                Self.forceSSLRedirectAnnotation, annotations, default: settings.forceSSLRedirect, report: &state.parsed[index].report
            )
            for host in hosts {
                state.hosts[host]?.decideSecurity {
                    let covered = Self.isCovered(host, by: tlsHosts)
                    return HostSecurity(redirectToHTTPS: force || (covered && sslRedirect), hsts: covered && settings.hsts)
                }
            }
        }
    }

    /// Whether a TLS section lists the host, or a wildcard TLS host covers it.
    static func isCovered(_ host: HostMatch, by tlsHosts: Set<String>) -> Bool {
        switch host {
        case .any: return false
        case .wildcard: return tlsHosts.contains(host.description)
        case .exact(let name):
            if tlsHosts.isEmpty { return false }
            if tlsHosts.contains(name) { return true }
            guard let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")) else { return false }
            return tlsHosts.contains("*" + name[dot...])
        }
    }

    private func flag(_ name: String, _ annotations: [String: String], default value: Bool, report: inout ObjectReport) -> Bool {
        guard let written = annotations[name] else { return value }
        guard let parsed = ControllerSettings.boolean(written) else {
            report.warning("metadata.annotations[\(name)]", "\(quoted(written)) is not \"true\" or \"false\"; it is ignored")
            return value
        }
        return parsed
    }

    private func list(_ hosts: [String]) -> String {
        hosts.isEmpty ? "no hosts" : "hosts " + hosts.map { quoted($0) }.joined(separator: ", ")
    }
}
