import PorticoKube
import Testing

@Suite("API resource paths")
struct APIResourceTests {
    @Test func corePathsLiveUnderAPI() {
        #expect(APIResource.services.path(namespace: "web", name: "shop") == "/api/v1/namespaces/web/services/shop")
        #expect(APIResource.secrets.path() == "/api/v1/secrets")
    }

    @Test func groupPathsLiveUnderAPIs() {
        #expect(APIResource.ingresses.path(namespace: "web", name: "shop", subresource: "status") == "/apis/networking.k8s.io/v1/namespaces/web/ingresses/shop/status")
        #expect(APIResource.endpointSlices.path(namespace: nil) == "/apis/discovery.k8s.io/v1/endpointslices")
    }

    @Test func clusterScopedKindsIgnoreTheNamespace() {
        #expect(APIResource.ingressClasses.path(namespace: "web", name: "portico") == "/apis/networking.k8s.io/v1/ingressclasses/portico")
    }

    @Test func rbacNames() {
        #expect(APIResource.ingresses.description == "ingresses.networking.k8s.io")
        #expect(APIResource.services.description == "services")
        #expect(APIResource.leases.groupVersion == "coordination.k8s.io/v1")
    }
}
