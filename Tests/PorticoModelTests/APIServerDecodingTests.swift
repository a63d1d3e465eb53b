import Foundation
import PorticoModel
import Testing

/// Objects as the API server returns them (fields we do not model included: managedFields,
/// uid, status conditions, ...), decoded with the same JSONDecoder the informer uses.
@Suite("Decoding API-server JSON")
struct APIServerDecodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// Decoded arrays grow by doubling; a rule's paths live as long as its Ingress, so they are
    /// kept in storage sized to them, and a rule without `paths` still fails as before.
    @Test("a rule's paths are kept without spare room", arguments: [1, 3, 5, 9])
    func pathsWithoutSpareRoom(count: Int) throws {
        let paths = (0..<count).map { #"{"path":"/p\#($0)","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}"# }
        let rule = try decode(Ingress.Rule.self, #"{"host":"a.test","http":{"paths":["# + paths.joined(separator: ",") + "]}}")
        let decoded = try #require(rule.http?.paths)
        #expect(decoded.map(\.path) == (0..<count).map { "/p\($0)" })
        #expect(decoded.capacity == count)
        #expect(throws: DecodingError.self) { try decode(Ingress.Rule.self, #"{"http":{}}"#) }
    }

    @Test("Ingress with every field we read, and many we do not")
    func ingress() throws {
        let ingress = try decode(
            Ingress.self,
            #"""
            {"kind":"Ingress","apiVersion":"networking.k8s.io/v1",
             "metadata":{"name":"shop","namespace":"prod","uid":"5a1c","resourceVersion":"4711","generation":3,
               "creationTimestamp":"2024-01-02T03:04:05Z","labels":{"app":"shop"},
               "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},
               "managedFields":[{"manager":"kubectl","operation":"Apply","fieldsV1":{"f:spec":{}}}]},
             "spec":{"ingressClassName":"portico",
               "defaultBackend":{"resource":{"apiGroup":"k8s.example.com","kind":"StorageBucket","name":"static"}},
               "tls":[{"hosts":["shop.example.com"],"secretName":"shop-tls"}],
               "rules":[{"host":"shop.example.com","http":{"paths":[
                 {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
                 {"path":"/api","pathType":"Exact","backend":{"service":{"name":"api","port":{"name":"http"}}}}]}}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10","ports":[{"port":443,"protocol":"TCP"}]}]}}}
            """#)
        #expect(ingress.metadata.namespacedName() == NamespacedName(namespace: "prod", name: "shop"))
        #expect(ingress.metadata.generation == 3)
        #expect(ingress.spec?.ingressClassName == "portico")
        #expect(ingress.spec?.defaultBackend?.resource?.kind == "StorageBucket")
        #expect(ingress.spec?.tls == [Ingress.TLS(hosts: ["shop.example.com"], secretName: "shop-tls")])
        let paths = try #require(ingress.spec?.rules?.first?.http?.paths)
        #expect(paths.map(\.pathType) == ["Prefix", "Exact"])
        #expect(paths[0].backend.service == Ingress.ServiceBackend(name: "web", port: .init(number: 80)))
        #expect(paths[1].backend.service?.port == Ingress.ServiceBackendPort(name: "http"))
        #expect(ingress.status?.loadBalancer?.ingress?.first?.ip == "192.0.2.10")
    }

    @Test("a minimal Ingress: every optional field absent")
    func minimalIngress() throws {
        let ingress = try decode(Ingress.self, #"{"metadata":{"name":"bare"}}"#)
        #expect(ingress.apiVersion == nil)
        #expect(ingress.spec == nil)
        #expect(ingress.metadata.namespacedName() == NamespacedName(namespace: "default", name: "bare"))
        let path = try decode(Ingress.Path.self, #"{"backend":{}}"#)
        #expect(path == Ingress.Path(backend: Ingress.Backend()))
    }

    @Test("a missing required field is a decode error, not a silent default")
    func missingRequired() {
        #expect(throws: DecodingError.self) {
            try decode(Ingress.Path.self, #"{"path":"/"}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(Ingress.self, #"{"spec":{}}"#)
        }
    }

    @Test("IngressClass, cluster-scoped")
    func ingressClass() throws {
        let ingressClass = try decode(
            IngressClass.self,
            #"""
            {"apiVersion":"networking.k8s.io/v1","kind":"IngressClass",
             "metadata":{"name":"portico","annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}},
             "spec":{"controller":"portico.dev/ingress-controller","parameters":{"kind":"Config","name":"x"}}}
            """#)
        #expect(ingressClass.spec?.controller == "portico.dev/ingress-controller")
        #expect(ingressClass.metadata.annotations?[IngressClass.isDefaultClassAnnotation] == "true")
        #expect(Resource.ingressClass(ingressClass).key == ObjectKey(kind: .ingressClass, namespace: "", name: "portico"))
    }

    @Test("Service with numeric and named target ports")
    func service() throws {
        let service = try decode(
            Service.self,
            #"""
            {"kind":"Service","apiVersion":"v1",
             "metadata":{"name":"web","namespace":"prod","resourceVersion":"99"},
             "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},
                              {"name":"grpc","protocol":"TCP","appProtocol":"kubernetes.io/h2c","port":9000,"targetPort":"grpc"}],
               "selector":{"app":"web"},"clusterIP":"10.96.0.12","clusterIPs":["10.96.0.12"],"type":"ClusterIP",
               "sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"},
             "status":{"loadBalancer":{}}}
            """#)
        let ports = try #require(service.spec?.ports)
        #expect(ports.map(\.targetPort) == [.int(8080), .string("grpc")])
        #expect(ports[1].appProtocol == "kubernetes.io/h2c")
        #expect(service.spec?.type == "ClusterIP")
        #expect(service.status?.loadBalancer?.ingress == nil)
    }

    @Test("EndpointSlice: absent conditions stay absent (meaning ready)")
    func endpointSlice() throws {
        let slice = try decode(
            EndpointSlice.self,
            #"""
            {"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1",
             "metadata":{"name":"web-x7k2p","namespace":"prod","labels":{"kubernetes.io/service-name":"web",
               "endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io"},
               "ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"web","uid":"1"}]},
             "addressType":"IPv4",
             "endpoints":[
               {"addresses":["10.244.1.5"],"conditions":{"ready":true,"serving":true,"terminating":false},
                "nodeName":"node-1","zone":"a","targetRef":{"kind":"Pod","name":"web-1","namespace":"prod"}},
               {"addresses":["10.244.2.7"]}],
             "ports":[{"name":"http","protocol":"TCP","port":8080}]}
            """#)
        #expect(slice.metadata.labels?[EndpointSlice.serviceNameLabel] == "web")
        let endpoints = try #require(slice.endpoints)
        #expect(endpoints[0].conditions == EndpointSlice.Conditions(ready: true, serving: true, terminating: false))
        #expect(endpoints[0].nodeName == "node-1")
        #expect(endpoints[1].conditions == nil)
        #expect(slice.ports == [EndpointSlice.Port(name: "http", port: 8080, protocol: "TCP")])
    }

    @Test("Endpoints with ready and not-ready addresses")
    func endpoints() throws {
        let endpoints = try decode(
            Endpoints.self,
            #"""
            {"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"web","namespace":"prod"},
             "subsets":[{"addresses":[{"ip":"10.244.1.5","nodeName":"node-1","targetRef":{"kind":"Pod","name":"web-1"}}],
                         "notReadyAddresses":[{"ip":"10.244.2.7"}],
                         "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}]}
            """#)
        let subset = try #require(endpoints.subsets?.first)
        #expect(subset.addresses == [Endpoints.Address(ip: "10.244.1.5")])
        #expect(subset.notReadyAddresses == [Endpoints.Address(ip: "10.244.2.7")])
        #expect(subset.ports == [Endpoints.Port(name: "http", port: 8080, protocol: "TCP")])
        let empty = try decode(Endpoints.self, #"{"metadata":{"name":"none"}}"#)
        #expect(empty.subsets == nil)
    }

    @Test("Secret keeps data as base64 text")
    func secret() throws {
        let secret = try decode(
            Secret.self,
            #"""
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"shop-tls","namespace":"prod"},
             "type":"kubernetes.io/tls","immutable":false,
             "data":{"tls.crt":"LS0tLS1CRUdJTg==","tls.key":"LS0tLS1CRUdJTg=="}}
            """#)
        #expect(secret.type == Secret.tlsType)
        #expect(secret.data?["tls.crt"] == "LS0tLS1CRUdJTg==")
        #expect(secret.stringData == nil)
    }

    @Test("ConfigMap data, and binaryData ignored")
    func configMap() throws {
        let configMap = try decode(
            ConfigMap.self,
            #"""
            {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"portico","namespace":"portico-system"},
             "data":{"log-level":"debug"},"binaryData":{"blob":"AAE="}}
            """#)
        #expect(configMap.data == ["log-level": "debug"])
        #expect(Resource.configMap(configMap).key == ObjectKey(kind: .configMap, namespace: "portico-system", name: "portico"))
    }

    @Test("a wrong type is an error (a port as text where a number is required)")
    func wrongType() {
        #expect(throws: DecodingError.self) {
            try decode(Service.Port.self, #"{"port":"80"}"#)
        }
    }
}
