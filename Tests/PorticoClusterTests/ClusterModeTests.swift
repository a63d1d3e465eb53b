import Foundation
import Logging
import PorticoController
import PorticoKube
import PorticoModel
import PorticoTestAPIServer
import PorticoTestSupport
import Testing

/// Cluster mode as deployed: the controller reads the test API server through libcurl over TLS
/// with a bearer token, and requests go through the real proxy to stub backends.
@Suite("Cluster mode end to end", .serialized)
struct ClusterModeTests {
    @Test func theInitialListRoutes() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("ready") { portico.isReady }
                let response = try await portico.get(host: "shop.test")
                #expect(response.status == 200)
                #expect(response.header("x-stub-name") == "web")
                // Secrets are listed by field selector: only TLS Secrets are transferred.
                let secretLists = cluster.server.requests(verb: "list", resource: "secrets")
                #expect(secretLists.first?.query["fieldSelector"] == "type=kubernetes.io/tls")
                #expect(cluster.server.requests(verb: "list", resource: "ingresses").first?.query["limit"] == "500")
            }
        }
        try await web.close()
    }

    @Test func addModifyAndDeleteReachTheProxy() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let api = try await UpstreamStub.start(name: "api")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.backend("api", port: api.port)
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("ready") { portico.isReady }
                #expect(try await portico.get(host: "shop.test").status == 404)

                try cluster.ingress("shop", host: "shop.test", service: "web")
                try await waitUntil("the added Ingress routes") { try await portico.get(host: "shop.test").header("x-stub-name") == "web" }

                try cluster.ingress("shop", host: "shop.test", service: "api")
                try await waitUntil("the modified Ingress routes") { try await portico.get(host: "shop.test").header("x-stub-name") == "api" }

                try cluster.delete(.ingresses, name: "shop")
                try await waitUntil("the deleted Ingress is gone") { try await portico.get(host: "shop.test").status == 404 }
            }
        }
        try await web.close()
        try await api.close()
    }

    @Test func endpointSliceChangesMoveTraffic() async throws {
        let blue = try await UpstreamStub.start(name: "blue")
        let green = try await UpstreamStub.start(name: "green")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: blue.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("routed to blue") { try await portico.get(host: "shop.test").header("x-stub-name") == "blue" }
                // A rollout replaces the endpoints: same Service, new EndpointSlice contents.
                try cluster.backend("web", port: green.port)
                try await waitUntil("routed to green") { try await portico.get(host: "shop.test").header("x-stub-name") == "green" }
            }
        }
        try await blue.close()
        try await green.close()
    }

    @Test func watchNamespaceLimitsWhatIsRead() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try cluster.apply(#"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"elsewhere","namespace":"other"},"spec":{"ingressClassName":"portico","rules":[{"host":"other.test","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}"#)
            let portico = try await PorticoInstance.start(cluster, watchNamespace: "default")
            do {
                try await waitUntil("routed") { try await portico.get(host: "shop.test").status == 200 }
                #expect(try await portico.get(host: "other.test").status == 404)
                let paths = cluster.server.requests(verb: "list", resource: "ingresses").map(\.path)
                #expect(paths.allSatisfy { $0.hasPrefix("/apis/networking.k8s.io/v1/namespaces/default/ingresses") }, "\(paths)")
            } catch {
                await portico.stop()
                throw error
            }
            await portico.stop()
        }
        try await web.close()
    }

    @Test func relistsAfterCompactionAnd410() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("old", host: "old.test", service: "web")
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("ready") { portico.isReady }
                try await waitUntil("watches are open") { cluster.server.openWatchCount >= 5 }
                let listsBefore = cluster.server.requests(verb: "list", resource: "ingresses").count
                // Changes the watch never sees: the Ingress watch is cut and its reconnection
                // told to wait a second (429 with Retry-After), meanwhile the history is
                // compacted, so resuming from the last version gets 410 and the reflector lists
                // again.
                cluster.server.failNextRequests(1, with: .tooManyRequests(retryAfterSeconds: 1), pathPrefix: "/apis/networking.k8s.io/v1/ingresses")
                cluster.server.dropWatches()
                try cluster.delete(.ingresses, name: "old")
                try cluster.ingress("new", host: "new.test", service: "web")
                cluster.server.compact()
                let compacted = ContinuousClock.now
                try await waitUntil("the relist is applied") {
                    let new = try await portico.get(host: "new.test").status
                    let old = try await portico.get(host: "old.test").status
                    return new == 200 && old == 404
                }
                #expect(cluster.server.requests(verb: "list", resource: "ingresses").count > listsBefore)
                // Retry-After was honoured: nothing could arrive before the second had passed.
                #expect(ContinuousClock.now - compacted >= .milliseconds(900))
            }
        }
        try await web.close()
    }

    @Test func tokenRotationIsPickedUp() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("ready") { portico.isReady }
                // The kubelet writes a new token; the old one stops working and watches drop.
                let rotated = "system:serviceaccount:portico:rotated"
                try cluster.writeToken("token-two")
                cluster.server.setTokens(["token-two": rotated])
                cluster.server.dropWatches()
                try cluster.ingress("shop", host: "shop.test", service: "web")
                try await waitUntil("the Ingress made after the rotation routes") {
                    try await portico.get(host: "shop.test").header("x-stub-name") == "web"
                }
                // The watches came back with the new token, without a restart.
                let after = cluster.server.requests(verb: "watch", resource: "ingresses").filter { $0.user == rotated }
                #expect(!after.isEmpty)
            }
        }
        try await web.close()
    }

    @Test func aCAMismatchIsAClearErrorAndNotReady() async throws {
        try await ClusterHarness.run { cluster in
            let stranger = try TestCertificateAuthority(name: "Some Other Cluster CA")
            let kubeconfig = try cluster.writeKubeconfig(name: "wrong-ca", caPEM: stranger.certificatePEM)
            let capture = LogRecorder(level: .debug)
            let portico = try await PorticoInstance.start(cluster, kubeconfig: kubeconfig, logger: capture.logger(label: "cluster-test"))
            do {
                do {
                    try await waitUntil("a certificate error is logged") {
                        capture.messages(atLeast: .error).contains { $0.contains("did not verify against the CA") }
                    }
                } catch {
                    Issue.record("logged: \(capture.messages().suffix(20))")
                    throw error
                }
                #expect(!portico.isReady)
                // One line per failure class, not one per retry and reflector.
                try await Task.sleep(for: .milliseconds(500))
                let lines = capture.messages(atLeast: .error).filter { $0.contains("did not verify against the CA") }
                #expect(lines.count <= 2, "\(lines)")
            } catch {
                await portico.stop()
                throw error
            }
            await portico.stop()
        }
    }

    @Test func aForbiddenListNamesTheMissingPermission() async throws {
        try await ClusterHarness.run { cluster in
            cluster.server.deny(AccessRule(verb: "list", resource: "ingresses"))
            let capture = LogRecorder(level: .debug)
            let portico = try await PorticoInstance.start(cluster, logger: capture.logger(label: "cluster-test"))
            do {
                try await waitUntil("the missing permission is logged") {
                    capture.messages(atLeast: .error).contains { $0.contains("list") && $0.contains("ingresses") && $0.contains("ClusterRole") }
                }
                #expect(!portico.isReady)
                // Granted: the controller recovers by itself.
                cluster.server.allowAll()
                try await waitUntil("ready after the grant") { portico.isReady }
            } catch {
                await portico.stop()
                throw error
            }
            await portico.stop()
        }
    }

    @Test func anUnreachableAPIServerAtStartIsRetriedAndNotReady() async throws {
        try await ClusterHarness.run { cluster in
            // A kubeconfig pointing at a port nobody listens on (the test server's, once stopped).
            let kubeconfig = try cluster.writeKubeconfig(name: "kubeconfig", caPEM: cluster.server.caPEM)
            try await cluster.stopServer()
            let capture = LogRecorder(level: .debug)
            let portico = try await PorticoInstance.start(cluster, kubeconfig: kubeconfig, logger: capture.logger(label: "cluster-test"))
            try await Task.sleep(for: .seconds(1))
            let lines = capture.messages(atLeast: .warning)
            #expect(!portico.isReady)
            #expect(!lines.isEmpty)
            // Several retries of six reflectors and the elector in that second, few lines.
            #expect(lines.count <= 3, "\(lines)")
            await portico.stop()
        }
    }

    @Test func theLastTableKeepsServingWhenTheAPIServerGoesAway() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("routed") { try await portico.get(host: "shop.test").status == 200 }
                try await cluster.stopServer()
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await portico.get(host: "shop.test").header("x-stub-name") == "web")
                #expect(portico.isReady)
            }
        }
        try await web.close()
    }
}
