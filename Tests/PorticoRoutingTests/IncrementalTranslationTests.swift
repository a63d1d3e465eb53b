import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// A snapshot kept up to date one object at a time, translated with one memo across changes,
/// must give exactly what a fresh snapshot of the same objects gives without a memo: the
/// reconciler relies on both to avoid re-indexing and re-parsing 10,000 unchanged Ingresses.
@Suite struct IncrementalTranslationTests {
    static let services = ["svc0", "svc1", "svc2"]

    /// Random changes of every kind translation reads (Ingresses new, rewritten and deleted,
    /// Services appearing and going, slices added, relabelled to another Service and deleted,
    /// Secrets for TLS), each followed by an incremental and a fresh translation.
    @Test(arguments: [UInt64(21), 22, 23, 24])
    func anIncrementalTranslationEqualsAFreshOne(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var objects: [ObjectKey: SourcedResource] = [:]
        var snapshot = ResourceSnapshot()
        var memo = TranslationMemo()
        for step in 1...120 {
            let change = Self.randomChange(step: step, using: &rng)
            switch change {
            case .upsert(let resource):
                let sourced = SourcedResource(resource, origin: .file(path: "step-\(step).yaml", line: 1))
                objects[sourced.key] = sourced
                snapshot.upsert(sourced)
            case .delete(let kind, let name):
                let keys = objects.keys.filter { $0.kind == kind && $0.name.name == name }
                for key in keys {
                    objects.removeValue(forKey: key)
                    snapshot.remove(key)
                }
            }
            let generation = UInt64(step)
            let incremental = translate(snapshot, options: TranslationOptions(), generation: generation, memo: &memo)
            let fresh = translate(ResourceSnapshot(objects), options: TranslationOptions(), generation: generation)
            #expect(render(incremental) == render(fresh), "seed \(seed) step \(step): \(change)")
            // Through the host index too, which an incremental table may take over from the last.
            for host in ["a.test", "b.test", "c.test", "other"] {
                for path in ["/", "/api", "/api/v1/x"] {
                    #expect(
                        clusterName(incremental.table.lookup(host: Substring(host), path: Substring(path)))
                            == clusterName(fresh.table.lookup(host: Substring(host), path: Substring(path))),
                        "seed \(seed) step \(step): \(host)\(path) after \(change)"
                    )
                }
            }
            for service in Self.services {
                let name = NamespacedName(namespace: "default", name: service)
                #expect(
                    snapshot.endpointSlices(forService: name) == ResourceSnapshot(objects).endpointSlices(forService: name),
                    "seed \(seed) step \(step): slices of \(service)"
                )
            }
        }
    }

    /// The parse of an unchanged Ingress is reused, but the Services it names are looked up
    /// every time: creating the Service clears the warning, deleting it brings it back.
    @Test func aReusedParseStillSeesServicesComeAndGo() {
        let ingress = SourcedResource(
            Fixture.ingress(name: "web", rules: [Fixture.rule(host: "a.test", paths: [Fixture.path("/", service: "web", port: 80)])]),
            origin: .apiServer
        )
        let service = SourcedResource(Fixture.service(name: "web"), origin: .apiServer)
        var snapshot = ResourceSnapshot([ingress])
        var memo = TranslationMemo()
        let missing = "warning: Ingress default/web: spec.rules[0].http.paths[0].backend.service.name: "
            + "Service default/web does not exist; requests get 503"

        var result = translate(snapshot, options: TranslationOptions(), generation: 1, memo: &memo)
        #expect(result.diagnostics.map { "\($0.severity): \($0)" } == [missing])

        snapshot.upsert(service)
        result = translate(snapshot, options: TranslationOptions(), generation: 2, memo: &memo)
        #expect(result.diagnostics.isEmpty)
        #expect(result.table.clusters.values.map(\.serviceExists) == [true])

        snapshot.remove(service.key)
        result = translate(snapshot, options: TranslationOptions(), generation: 3, memo: &memo)
        #expect(result.diagnostics.map { "\($0.severity): \($0)" } == [missing])
    }

    /// Removing an object that was never there, or twice, leaves the snapshot as it was.
    @Test func removingWhatIsNotThereChangesNothing() {
        let service = SourcedResource(Fixture.service(name: "web"), origin: .apiServer)
        var snapshot = ResourceSnapshot([service])
        snapshot.remove(ObjectKey(kind: .service, namespace: "default", name: "other"))
        snapshot.remove(ObjectKey(kind: .ingress, namespace: "default", name: "web"))
        #expect(snapshot.objects == [service.key: service])
        #expect(snapshot.servicePorts(NamespacedName(namespace: "default", name: "web")) != nil)
        snapshot.remove(service.key)
        snapshot.remove(service.key)
        #expect(snapshot.objects.isEmpty && snapshot.services.isEmpty)
    }

    enum Change: CustomStringConvertible {
        case upsert(Resource)
        case delete(ResourceKind, String)

        var description: String {
            switch self {
            case .upsert(let resource): "upsert \(resource.key)"
            case .delete(let kind, let name): "delete \(kind) \(name)"
            }
        }
    }

    static func randomChange(step: Int, using rng: inout SplitMix64) -> Change {
        let service = services.randomElement(using: &rng) ?? "svc0"
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<4:
            return .upsert(randomIngress(name: "ing\(Int.random(in: 0..<6, using: &rng))", step: step, using: &rng))
        case 4:
            return .delete(.ingress, "ing\(Int.random(in: 0..<6, using: &rng))")
        case 5:
            let ports = Bool.random(using: &rng) ? [Fixture.servicePort(80)] : [Fixture.servicePort(8080, name: "alt")]
            return .upsert(Fixture.service(name: service, ports: ports))
        case 6:
            return .delete(.service, service)
        case 7:
            // Slice names are shared across Services, so an upsert can move a slice to another one.
            return .upsert(Fixture.endpointSlice(
                name: "slice\(Int.random(in: 0..<4, using: &rng))", service: service,
                addresses: ["10.0.0.\(Int.random(in: 1...3, using: &rng))"], port: 8080
            ))
        case 8:
            return .delete(.endpointSlice, "slice\(Int.random(in: 0..<4, using: &rng))")
        default:
            return Bool.random(using: &rng)
                ? .upsert(Fixture.tlsSecret(name: "tls", certificate: "not a certificate \(step)", key: "nor a key"))
                : .delete(.secret, "tls")
        }
    }

    /// An Ingress with one or two rules on shared hosts, sometimes a TLS section, a default
    /// backend, an invalid path (which rejects it), or a creation time that reorders precedence.
    static func randomIngress(name: String, step: Int, using rng: inout SplitMix64) -> Resource {
        let hosts = ["a.test", "b.test", "*.test"]
        var rules: [Ingress.Rule] = []
        for _ in 0..<Int.random(in: 1...2, using: &rng) {
            let path = ["/", "/api", "/api/v1"].randomElement(using: &rng) ?? "/"
            let written = Int.random(in: 0..<12, using: &rng) == 0 ? "no-slash" : path
            rules.append(Fixture.rule(
                host: hosts.randomElement(using: &rng),
                paths: [Fixture.path(written, service: services.randomElement(using: &rng) ?? "svc0", port: 80)]
            ))
        }
        let tls = Bool.random(using: &rng) ? [Ingress.TLS(hosts: ["a.test"], secretName: "tls")] : nil
        let defaultBackend = Int.random(in: 0..<4, using: &rng) == 0
            ? Fixture.backend(service: services.randomElement(using: &rng) ?? "svc0", port: 80)
            : nil
        return Fixture.ingress(
            name: name, rules: rules, defaultBackend: defaultBackend, tls: tls,
            created: Int.random(in: 0..<3, using: &rng) == 0 ? nil : step % 5
        )
    }
}
