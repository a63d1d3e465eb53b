import Foundation
import PorticoModel
import PorticoTestSupport
import Testing

/// The controller ConfigMap (`--configmap`) is read from the API server and followed: editing it
/// changes routing behaviour without a restart.
@Suite("Controller ConfigMap in cluster mode", .serialized)
struct ControllerConfigMapClusterTests {
    static func settings(forceSSLRedirect: Bool) -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"portico-controller","namespace":"portico"},"data":{"force-ssl-redirect":"\#(forceSSLRedirect)"}}"#
    }

    @Test func anEditedSettingAppliesWithoutARestart() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try cluster.apply(Self.settings(forceSSLRedirect: false))
            let portico = try await PorticoInstance.start(
                cluster, controllerConfigMap: NamespacedName(namespace: "portico", name: "portico-controller")
            )
            do {
                try await waitUntil("ready") { portico.isReady }
                #expect(try await portico.get(host: "shop.test").status == 200)
                try cluster.apply(Self.settings(forceSSLRedirect: true))
                try await waitUntil("plain HTTP redirects") { try await portico.get(host: "shop.test").status == 308 }
            } catch {
                await portico.stop()
                throw error
            }
            await portico.stop()
        }
        try await web.close()
    }
}
