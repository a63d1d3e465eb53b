import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Endpoint resolution: EndpointSlices filtered by conditions and matched by port name, several
/// slices per Service, v1 Endpoints as fallback; both through `translate` and on its own.
@Suite struct EndpointTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let objects: [Resource]
        let cluster: ClusterID
        let expected: [String]
        var description: String { name }
    }

    static let httpService = Fixture.service(name: "web", ports: [Fixture.servicePort(80, name: "http", targetPort: .string("web")),
                                                                  Fixture.servicePort(9090, name: "metrics")])
    static let web80 = ClusterID(namespace: "default", service: "web", port: "80")
    static let webHTTP = ClusterID(namespace: "default", service: "web", port: "http")
    static let webMetrics = ClusterID(namespace: "default", service: "web", port: "metrics")

    static let cases: [Case] = [
        Case(
            name: "unnamed port: slice port without name",
            objects: [Fixture.service(name: "web"), Fixture.endpointSlice(service: "web", addresses: ["10.0.0.2", "10.0.0.1"], port: 8080)],
            cluster: web80, expected: ["10.0.0.1:8080", "10.0.0.2:8080"]
        ),
        Case(
            name: "named port: the slice port with the ServicePort's name gives the target port",
            objects: [httpService, .endpointSlice(EndpointSlice(
                metadata: ObjectMeta(name: "web-1", namespace: "default", labels: [EndpointSlice.serviceNameLabel: "web"]),
                endpoints: [EndpointSlice.Endpoint(addresses: ["10.0.0.1"])],
                ports: [EndpointSlice.Port(name: "metrics", port: 9100), EndpointSlice.Port(name: "http", port: 8080)]
            ))],
            cluster: webHTTP, expected: ["10.0.0.1:8080"]
        ),
        Case(
            name: "by number too, through the ServicePort's name",
            objects: [httpService, Fixture.endpointSlice(service: "web", addresses: ["10.0.0.1"], port: 8080, portName: "http")],
            cluster: web80, expected: ["10.0.0.1:8080"]
        ),
        Case(
            name: "the other port of the Service",
            objects: [httpService, Fixture.endpointSlice(service: "web", addresses: ["10.0.0.1"], port: 8080, portName: "http")],
            cluster: webMetrics, expected: []
        ),
        Case(
            name: "not ready and terminating endpoints are left out; absent conditions mean ready",
            objects: [
                Fixture.service(name: "web"),
                Fixture.endpointSlice(name: "a", service: "web", addresses: ["10.0.0.1"], port: 8080),
                Fixture.endpointSlice(name: "b", service: "web", addresses: ["10.0.0.2"], port: 8080, ready: true),
                Fixture.endpointSlice(name: "c", service: "web", addresses: ["10.0.0.3"], port: 8080, ready: false),
                Fixture.endpointSlice(name: "d", service: "web", addresses: ["10.0.0.4"], port: 8080, ready: true, terminating: true),
                Fixture.endpointSlice(name: "e", service: "web", addresses: ["10.0.0.5"], port: 8080, terminating: false),
            ],
            cluster: web80, expected: ["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.5:8080"]
        ),
        Case(
            name: "several slices merge, sorted and without duplicates; FQDN slices skipped",
            objects: [
                Fixture.service(name: "web"),
                Fixture.endpointSlice(name: "web-v4", service: "web", addresses: ["10.0.0.9", "10.0.0.1"], port: 8080),
                Fixture.endpointSlice(name: "web-v4b", service: "web", addresses: ["10.0.0.1"], port: 8080),
                Fixture.endpointSlice(name: "web-v6", service: "web", addresses: ["fd00::1"], port: 8080, addressType: "IPv6"),
                Fixture.endpointSlice(name: "web-fqdn", service: "web", addresses: ["db.example.com"], port: 8080, addressType: "FQDN"),
            ],
            cluster: web80, expected: ["10.0.0.1:8080", "10.0.0.9:8080", "[fd00::1]:8080"]
        ),
        Case(
            name: "slices of another namespace or Service do not count",
            objects: [
                Fixture.service(name: "web"),
                Fixture.endpointSlice(name: "x", service: "web", namespace: "other", addresses: ["10.1.0.1"], port: 8080),
                Fixture.endpointSlice(name: "y", service: "api", addresses: ["10.2.0.1"], port: 8080),
            ],
            cluster: web80, expected: []
        ),
        Case(
            name: "v1 Endpoints when the Service has no slices: ready addresses only",
            objects: [Fixture.service(name: "web"),
                      Fixture.endpoints(service: "web", addresses: ["10.0.0.2", "10.0.0.1"], notReadyAddresses: ["10.0.0.3"], port: 8080)],
            cluster: web80, expected: ["10.0.0.1:8080", "10.0.0.2:8080"]
        ),
        Case(
            name: "v1 Endpoints match the port by name",
            objects: [httpService, Fixture.endpoints(service: "web", addresses: ["10.0.0.1"], port: 8080, portName: "http")],
            cluster: webHTTP, expected: ["10.0.0.1:8080"]
        ),
        Case(
            name: "slices win over v1 Endpoints",
            objects: [Fixture.service(name: "web"),
                      Fixture.endpointSlice(service: "web", addresses: ["10.0.0.1"], port: 8080),
                      Fixture.endpoints(service: "web", addresses: ["10.9.9.9"], port: 8080)],
            cluster: web80, expected: ["10.0.0.1:8080"]
        ),
        Case(
            name: "a missing Service has no endpoints",
            objects: [Fixture.endpointSlice(service: "web", addresses: ["10.0.0.1"], port: 8080)],
            cluster: web80, expected: []
        ),
        Case(
            name: "a port the Service lacks has no endpoints",
            objects: [Fixture.service(name: "web"), Fixture.endpointSlice(service: "web", addresses: ["10.0.0.1"], port: 8080)],
            cluster: ClusterID(namespace: "default", service: "web", port: "81"), expected: []
        ),
    ]

    @Test(arguments: cases)
    func resolvedOnItsOwn(_ c: Case) {
        var expected: [String]?
        for seed in UInt64(0)...4 {
            var rng = SplitMix64(seed: seed)
            let objects = seed == 0 ? c.objects : c.objects.shuffled(using: &rng)
            let snapshot = ResourceSnapshot(Fixture.snapshot(objects))
            let resolved = resolveEndpoints(for: [c.cluster, c.cluster], in: snapshot)
            #expect(resolved.count == 1)
            let endpoints = resolved[c.cluster]?.map(\.description)
            #expect(endpoints == c.expected)
            if let expected { #expect(endpoints == expected) }
            expected = endpoints
        }
    }

    @Test(arguments: cases)
    func resolvedThroughTranslation(_ c: Case) {
        let port: Fixture.Port = Int(c.cluster.port).map { .number($0) } ?? .name(c.cluster.port)
        let ingress = Fixture.ingress(name: "web", rules: [Fixture.rule(host: "web.test", paths: [Fixture.path(service: c.cluster.service, port: port)])])
        let result = translateInEveryOrder((c.objects + [ingress]).map { SourcedResource($0, origin: .apiServer) }, options: TranslationOptions())
        #expect(result.table.endpoints[c.cluster]?.map(\.description) == c.expected)
        #expect(clusterName(result.table.lookup(host: "web.test", path: "/")) == c.cluster.description)
    }
}
