import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// The tcp-services ConfigMap becomes the table's TCP listeners (bad entries reported one by
/// one, the rest kept), and passthrough annotations mark hosts whose TLS is not terminated.
@Suite struct Layer4Tests {
    static let configMapName = NamespacedName(namespace: "portico", name: "tcp")
    static let options = TranslationOptions(tcpServicesConfigMap: configMapName, reservedPorts: [8080, 8443, 10254])

    static func tcpConfigMap(_ data: [String: String]) -> Resource {
        .configMap(ConfigMap(metadata: ObjectMeta(name: "tcp", namespace: "portico"), data: data))
    }

    static func passthroughIngress(
        name: String = "secure",
        annotation: String = "portico.dev/ssl-passthrough",
        value: String = "true",
        rules: [Ingress.Rule],
        tls: [Ingress.TLS]? = nil,
        created: Int = 0
    ) -> Resource {
        Fixture.ingress(name: name, annotations: [annotation: value], rules: rules, tls: tls, created: created)
    }

    static func passthrough(_ result: TranslationResult, _ name: String) -> String? {
        result.table.passthroughCluster(forServerName: Substring(name))?.description
    }

    @Test func entriesBecomeListenersWithEndpointsAndProxyFlags() throws {
        let result = TranslationCase(
            "tcp services",
            [
                Self.tcpConfigMap([
                    "5432": "db/postgres:5432",
                    "1883": "iot/mqtt:mqtt:PROXY",
                    "6379": "cache/redis:6379::PROXY",
                    "9000": "db/postgres:5432:PROXY:PROXY",
                ]),
                Fixture.service(name: "postgres", namespace: "db", ports: [Fixture.servicePort(5432)]),
                Fixture.endpointSlice(service: "postgres", namespace: "db", addresses: ["10.0.0.7"], port: 5432),
                Fixture.service(name: "mqtt", namespace: "iot", ports: [Fixture.servicePort(1883, name: "mqtt")]),
                Fixture.service(name: "redis", namespace: "cache", ports: [Fixture.servicePort(6379)]),
            ],
            options: Self.options
        ).check()
        let services = result.table.tcpServices
        #expect(services.keys.sorted() == [1883, 5432, 6379, 9000])
        let postgres = ClusterID(namespace: "db", service: "postgres", port: "5432")
        #expect(services[5432] == TCPService(cluster: postgres))
        #expect(services[1883] == TCPService(cluster: ClusterID(namespace: "iot", service: "mqtt", port: "mqtt"), decodeProxyProtocol: true))
        #expect(services[6379] == TCPService(cluster: ClusterID(namespace: "cache", service: "redis", port: "6379"), sendProxyProtocol: true))
        #expect(services[9000] == TCPService(cluster: postgres, decodeProxyProtocol: true, sendProxyProtocol: true))
        #expect(result.table.endpoints[postgres] == [Endpoint(host: "10.0.0.7", port: 5432)])
        #expect(result.table.clusters[postgres]?.serviceExists == true)
    }

    @Test func badEntriesAreReportedByKeyAndTheOthersStillListen() {
        let result = TranslationCase(
            "bad entries",
            [
                Self.tcpConfigMap([
                    "5432": "db/postgres:5432",
                    "http": "db/postgres:5432",
                    "70000": "db/postgres:5432",
                    "8443": "db/postgres:5432",
                    "5433": "postgres:5432",
                    "5434": "db/postgres",
                    "5435": "db/postgres:5432:SEND",
                    "5436": "db/postgres:5432:PROXY:PROXY:PROXY",
                    "5437": "db/missing:5432",
                    "5438": "db/postgres:9999",
                ]),
                Fixture.service(name: "postgres", namespace: "db", ports: [Fixture.servicePort(5432)]),
            ],
            options: Self.options,
            diagnostics: [
                "warning: ConfigMap portico/tcp: data[5433]: \"postgres:5432\" must be namespace/service:port, optionally followed by :PROXY and :PROXY; this entry is ignored",
                "warning: ConfigMap portico/tcp: data[5434]: \"db/postgres\" must be namespace/service:port, optionally followed by :PROXY and :PROXY; this entry is ignored",
                "warning: ConfigMap portico/tcp: data[5435]: \"db/postgres:5432:SEND\" must be namespace/service:port, optionally followed by :PROXY and :PROXY (the only option is \"PROXY\"); this entry is ignored",
                "warning: ConfigMap portico/tcp: data[5436]: \"db/postgres:5432:PROXY:PROXY:PROXY\" must be namespace/service:port, optionally followed by :PROXY and :PROXY; this entry is ignored",
                "warning: ConfigMap portico/tcp: data[5437]: Service db/missing does not exist; port 5437 listens and closes every connection",
                "warning: ConfigMap portico/tcp: data[5438]: Service db/postgres has no port \"9999\"; port 5438 listens and closes every connection",
                "warning: ConfigMap portico/tcp: data[70000]: \"70000\" is not a port number from 1 to 65535; this entry is ignored",
                "warning: ConfigMap portico/tcp: data[8443]: port 8443 is one of Portico's own listeners; this entry is ignored",
                "warning: ConfigMap portico/tcp: data[http]: \"http\" is not a port number from 1 to 65535; this entry is ignored",
            ]
        ).check()
        #expect(result.table.tcpServices.keys.sorted() == [5432, 5437, 5438])
        let missing = ClusterID(namespace: "db", service: "missing", port: "5432")
        #expect(result.table.clusters[missing]?.serviceExists == false)
        #expect(result.table.endpoints[missing] == [])
    }

    @Test func aMissingConfigMapIsReportedAndNothingListens() {
        let result = TranslationCase(
            "no configmap",
            [Fixture.service(name: "postgres", namespace: "db")],
            options: Self.options,
            diagnostics: [
                "warning: ConfigMap portico/tcp: does not exist, so no TCP service listens (--tcp-services-configmap)"
            ]
        ).check()
        #expect(result.table.tcpServices.isEmpty)
    }

    @Test func withoutTheOptionConfigMapsAreIgnored() {
        let result = TranslationCase("no option", [Self.tcpConfigMap(["5432": "db/postgres:5432"])]).check()
        #expect(result.table.tcpServices.isEmpty)
    }

    @Test func passthroughHostsUseTheRootPathOrTheFirstPath() {
        let result = TranslationCase(
            "passthrough",
            [
                Self.passthroughIngress(rules: [
                    Fixture.rule(host: "a.test", paths: [
                        Fixture.path("/api", service: "api", port: 443),
                        Fixture.path("/", service: "web", port: 443),
                    ]),
                    Fixture.rule(host: "b.test", paths: [Fixture.path("/x", service: "api", port: 443)]),
                    Fixture.rule(host: "*.wild.test", paths: [Fixture.path("/", service: "web", port: 443)]),
                ]),
                Self.passthroughIngress(
                    name: "nginx", annotation: "nginx.ingress.kubernetes.io/ssl-passthrough", value: "True",
                    rules: [Fixture.rule(host: "n.test", paths: [Fixture.path("/", service: "web", port: 443)])]
                ),
                Fixture.ingress(name: "plain", rules: [Fixture.rule(host: "plain.test", paths: [Fixture.path("/", service: "web", port: 443)])]),
                Fixture.service(name: "web", ports: [Fixture.servicePort(443)]),
                Fixture.service(name: "api", ports: [Fixture.servicePort(443)]),
            ],
            // Plain HTTP still routes passthrough hosts by path.
            lookups: [("a.test", "/api/v1", "default/api:443"), ("a.test", "/", "default/web:443")]
        ).check()
        #expect(result.table.hasPassthroughHosts)
        #expect(Self.passthrough(result, "a.test") == "default/web:443")
        #expect(Self.passthrough(result, "B.TEST") == "default/api:443")
        #expect(Self.passthrough(result, "x.wild.test") == "default/web:443")
        #expect(Self.passthrough(result, "n.test") == "default/web:443")
        #expect(Self.passthrough(result, "plain.test") == nil)
        #expect(Self.passthrough(result, "unknown.test") == nil)
        #expect(result.table.clusters[ClusterID(namespace: "default", service: "api", port: "443")] != nil)
    }

    @Test func passthroughConflictsAndMisuseAreReported() {
        let result = TranslationCase(
            "passthrough conflicts",
            [
                Self.passthroughIngress(
                    name: "old",
                    rules: [
                        Fixture.rule(host: "a.test", paths: [Fixture.path("/", service: "web", port: 443)]),
                        Fixture.rule(paths: [Fixture.path("/", service: "web", port: 443)]),
                    ],
                    tls: [Ingress.TLS(hosts: ["a.test"], secretName: "a")],
                    created: 0
                ),
                Self.passthroughIngress(
                    name: "new",
                    rules: [Fixture.rule(host: "a.test", paths: [Fixture.path("/other", service: "api", port: 443)])],
                    created: 5
                ),
                Self.passthroughIngress(name: "odd", value: "yes", rules: [
                    Fixture.rule(host: "odd.test", paths: [Fixture.path("/", service: "web", port: 443)])
                ], created: 6),
                Fixture.service(name: "web", ports: [Fixture.servicePort(443)]),
                Fixture.service(name: "api", ports: [Fixture.servicePort(443)]),
                Fixture.tlsSecret(name: "a", certificate: TLSTests.certificate, key: TLSTests.key),
            ],
            diagnostics: [
                "warning: Ingress default/new: spec.rules[0].http.paths[0]: host \"a.test\" is already passed through by Ingress default/old, which takes precedence",
                "warning: Ingress default/odd: metadata.annotations[portico.dev/ssl-passthrough]: \"yes\" is not \"true\" or \"false\"; it is ignored",
                "warning: Ingress default/old: spec.rules[1].http.paths[0]: TLS passthrough needs a host (there is no SNI name to match); this rule is served as HTTP only",
                "warning: Ingress default/old: spec.tls[0].hosts: host \"a.test\" is TLS passthrough: its backend terminates TLS, so this Secret is not served for it",
            ]
        ).check()
        #expect(Self.passthrough(result, "a.test") == "default/web:443")
        #expect(Self.passthrough(result, "odd.test") == nil)
    }

    @Test func endpointRefreshKeepsTCPServices() {
        let result = TranslationCase(
            "refresh",
            [Self.tcpConfigMap(["5432": "db/postgres:5432"]), Fixture.service(name: "postgres", namespace: "db", ports: [Fixture.servicePort(5432)])],
            options: Self.options
        ).check()
        let refreshed = result.table.replacingEndpoints([:], generation: 2)
        #expect(refreshed.tcpServices == result.table.tcpServices)
    }
}
