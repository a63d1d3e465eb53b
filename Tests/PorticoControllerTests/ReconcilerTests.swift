import Logging
import PorticoController
import PorticoModel
import PorticoProxy
import PorticoRouteTable
import PorticoRouting
import Testing

/// Objects for reconciler tests: one Service `default/web` with endpoints, and Ingresses on it.
enum Objects {
    static func ingress(_ name: String, host: String = "web.test", path: String = "/", pathType: String = "Prefix", service: String = "web") -> ResourceEvent {
        let ingress = Ingress(
            metadata: ObjectMeta(name: name, namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z"),
            spec: .init(
                ingressClassName: "portico",
                rules: [.init(host: host, http: .init(paths: [
                    .init(path: path, pathType: pathType, backend: .init(service: .init(name: service, port: .init(number: 80)))),
                ]))]
            )
        )
        return .upserted(SourcedResource(.ingress(ingress), origin: .file(path: "\(name).yaml", line: 1)))
    }

    static func service(_ name: String = "web") -> ResourceEvent {
        let service = Service(metadata: ObjectMeta(name: name, namespace: "default"), spec: .init(ports: [.init(name: "http", port: 80)]))
        return .upserted(SourcedResource(.service(service), origin: .file(path: "services.yaml", line: 1)))
    }

    static func slice(_ service: String = "web", addresses: [String], port: Int = 9000) -> ResourceEvent {
        let slice = EndpointSlice(
            metadata: ObjectMeta(name: "\(service)-1", namespace: "default", labels: [EndpointSlice.serviceNameLabel: service]),
            endpoints: addresses.map { EndpointSlice.Endpoint(addresses: [$0], conditions: .init(ready: true)) },
            ports: [.init(name: "http", port: port)]
        )
        return .upserted(SourcedResource(.endpointSlice(slice), origin: .file(path: "services.yaml", line: 10)))
    }

    static let web = ClusterID(namespace: "default", service: "web", port: "80")
    static let api = ClusterID(namespace: "default", service: "api", port: "80")
}

@Suite struct ReconcilerTests {
    private let routes = RouteTableStore()
    private var reconciler: Reconciler {
        Reconciler(options: TranslationOptions(), routes: routes, logger: Logger(label: "test"))
    }

    private func cluster(_ host: String, _ path: String) -> ClusterID? {
        guard case .cluster(let id)? = routes.current.lookup(host: host[...], path: path[...])?.backend else { return nil }
        return id
    }

    @Test func nothingIsPublishedBeforeTheSourceHasSynced() {
        let reconciler = self.reconciler
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.ingress("web"))
        #expect(reconciler.publish() == nil)
        #expect(routes.current.generation == 0)
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        #expect(reconciler.hasPendingChanges)
        let publication = reconciler.publish()
        #expect(publication?.generation == 1)
        #expect(cluster("web.test", "/") == Objects.web)
        // What `portico_table_build_duration_seconds` reports.
        #expect((publication?.buildDuration ?? .zero) > .zero)
    }

    @Test func aBadUpdateKeepsTheLastGoodVersionServing() throws {
        let reconciler = self.reconciler
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.ingress("web", path: "/good"))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        reconciler.publish()
        #expect(cluster("web.test", "/good") == Objects.web)

        reconciler.apply(Objects.ingress("web", path: "/good", pathType: "Prefixx"))
        let publication = try #require(reconciler.publish())
        #expect(publication.keptLastGood == [ObjectKey(kind: .ingress, namespace: "default", name: "web")])
        #expect(cluster("web.test", "/good") == Objects.web)
        #expect(publication.errorCount == 1)
        #expect(publication.diagnostics.contains { $0.contains("web.yaml:1") && $0.contains("pathType") && $0.contains("last good version") })

        // Fixing it serves the fix.
        reconciler.apply(Objects.ingress("web", path: "/better"))
        let fixed = try #require(reconciler.publish())
        #expect(fixed.keptLastGood.isEmpty)
        #expect(fixed.errorCount == 0)
        #expect(cluster("web.test", "/better") == Objects.web)
        #expect(cluster("web.test", "/good") == nil)
    }

    @Test func aBadNewObjectIsSkippedAndTheOthersServe() throws {
        let reconciler = self.reconciler
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.ingress("good", host: "good.test"))
        reconciler.apply(Objects.ingress("bad", host: "Not A Host"))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        let publication = try #require(reconciler.publish())
        #expect(publication.keptLastGood.isEmpty)
        #expect(publication.errorCount == 1)
        #expect(publication.diagnostics.contains { $0.contains("Ingress default/bad") && $0.contains("spec.rules[0].host") })
        #expect(cluster("good.test", "/") == Objects.web)
    }

    @Test func aSourceRejectionKeepsTheStoredVersion() throws {
        let reconciler = self.reconciler
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.ingress("web", path: "/kept"))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        reconciler.publish()

        let key = ObjectKey(kind: .ingress, namespace: "default", name: "web")
        let error = SourceError(origin: .file(path: "web.yaml", line: 7), field: "spec.rules", message: "expected a list")
        #expect(reconciler.apply(.rejected(key, error)) == .none)
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        let publication = try #require(reconciler.publish())
        #expect(publication.diagnostics.contains { $0.contains("web.yaml:7") })
        #expect(cluster("web.test", "/kept") == Objects.web)
    }

    @Test func anEndpointChangeDoesNotRetranslate() throws {
        let reconciler = self.reconciler
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.slice(addresses: ["10.0.0.1"]))
        reconciler.apply(Objects.ingress("web"))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        reconciler.publish()
        #expect(routes.current.endpoints[Objects.web] == [Endpoint(host: "10.0.0.1", port: 9000)])

        #expect(reconciler.apply(Objects.slice(addresses: ["10.0.0.1", "10.0.0.2"])) == .endpoints)
        let publication = try #require(reconciler.publish())
        #expect(publication.endpointsOnly)
        #expect(publication.buildDuration > .zero)
        #expect(routes.current.endpoints[Objects.web] == [Endpoint(host: "10.0.0.1", port: 9000), Endpoint(host: "10.0.0.2", port: 9000)])
        #expect(cluster("web.test", "/") == Objects.web)
    }

    @Test func aDeletedIngressIsNotBroughtBackByALaterBadVersion() throws {
        let reconciler = self.reconciler
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.ingress("web", path: "/old"))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        reconciler.publish()
        reconciler.apply(.deleted(ObjectKey(kind: .ingress, namespace: "default", name: "web")))
        reconciler.publish()
        #expect(cluster("web.test", "/old") == nil)

        reconciler.apply(Objects.ingress("web", path: "/new", pathType: "Bogus"))
        let publication = try #require(reconciler.publish())
        #expect(publication.keptLastGood.isEmpty)
        #expect(cluster("web.test", "/old") == nil)
    }
}
