import Logging
import PorticoController
import PorticoModel
import PorticoProxy
import PorticoRouteTable
import PorticoRouting
import Testing

/// The tcp-services ConfigMap through the reconciler: published as TCP services, changed at
/// runtime, and kept by the EndpointSlice fast path; publishes reach `RouteTableStore.updates()`.
@Suite struct ReconcilerLayer4Tests {
    static func configMap(_ data: [String: String]) -> ResourceEvent {
        let configMap = ConfigMap(metadata: ObjectMeta(name: "tcp-services", namespace: "default"), data: data)
        return .upserted(SourcedResource(.configMap(configMap), origin: .file(path: "tcp.yaml", line: 1)))
    }

    @Test func theConfigMapBecomesTCPServicesAndFollowsChanges() async throws {
        let routes = RouteTableStore()
        var updates = routes.updates().makeAsyncIterator()
        #expect(await updates.next()?.generation == 0)
        let options = TranslationOptions(tcpServicesConfigMap: NamespacedName(namespace: "default", name: "tcp-services"))
        let reconciler = Reconciler(options: options, routes: routes, logger: Logger(label: "test"))
        reconciler.apply(Objects.service())
        reconciler.apply(Objects.slice(addresses: ["10.0.0.1"]))
        reconciler.apply(Self.configMap(["5432": "default/web:http"]))
        reconciler.apply(.synced(Set(ResourceKind.allCases)))
        reconciler.publish()
        let web = ClusterID(namespace: "default", service: "web", port: "http")
        #expect(routes.current.tcpServices == [5432: TCPService(cluster: web)])
        #expect(routes.current.endpoints[web] == [Endpoint(host: "10.0.0.1", port: 9000)])
        #expect(await updates.next()?.tcpServices.keys.sorted() == [5432])

        // Endpoints alone: the fast path keeps the TCP services and refreshes their endpoints.
        #expect(reconciler.apply(Objects.slice(addresses: ["10.0.0.2"])) == .endpoints)
        #expect(try #require(reconciler.publish()).endpointsOnly)
        #expect(routes.current.tcpServices == [5432: TCPService(cluster: web)])
        #expect(routes.current.endpoints[web] == [Endpoint(host: "10.0.0.2", port: 9000)])

        // A changed ConfigMap: one port added, the other given the PROXY flags.
        reconciler.apply(Self.configMap(["5432": "default/web:http:PROXY:PROXY", "6379": "default/web:80"]))
        reconciler.publish()
        #expect(routes.current.tcpServices[5432] == TCPService(cluster: web, decodeProxyProtocol: true, sendProxyProtocol: true))
        #expect(routes.current.tcpServices[6379]?.cluster == ClusterID(namespace: "default", service: "web", port: "80"))
    }
}
