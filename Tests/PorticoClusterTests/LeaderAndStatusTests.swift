import Foundation
import Logging
import PorticoController
import PorticoKube
import PorticoModel
import PorticoTestAPIServer
import PorticoTestSupport
import Testing

@Suite("Leader election, status and Events end to end", .serialized)
struct LeaderAndStatusTests {
    @Test func twoInstancesElectOneLeaderAndHandOverWhenItStops() async throws {
        try await ClusterHarness.run { cluster in
            let first = try await PorticoInstance.start(cluster, identity: "portico-a")
            let second = try await PorticoInstance.start(cluster, identity: "portico-b")
            do {
                try await waitUntil("one leads") { first.isLeader || second.isLeader }
                try await Task.sleep(for: .milliseconds(600))
                #expect(first.isLeader != second.isLeader)
                let (leader, follower) = first.isLeader ? (first, second) : (second, first)
                try await waitUntil("both ready") { first.isReady && second.isReady }

                await leader.stop()
                try await waitUntil("the follower leads", timeout: .seconds(10)) { follower.isLeader }
                let lease = try #require(cluster.server.object(.leases, namespace: "portico", name: "portico-leader"))
                #expect(lease["spec"]?["holderIdentity"]?.stringValue == (follower === first ? "portico-a" : "portico-b"))
                // The stopped leader released the Lease (a successful update clearing the
                // holder) rather than leaving the follower to wait for it to expire. Read
                // from the server's record, so a slow machine cannot blur the two.
                let releases = cluster.server.requests(verb: "update", resource: "leases", name: "portico-leader").filter { request in
                    request.statusCode == 200 && request.body?["spec"]?["holderIdentity"]?.stringValue == nil
                        && request.body?["spec"]?["leaseDurationSeconds"]?.integerValue == 1
                }
                #expect(releases.count == 1)
                await follower.stop()
            } catch {
                await first.stop()
                await second.stop()
                throw error
            }
        }
    }

    @Test func statusIsWrittenOnceAndNotRewrittenWhenUnchanged() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try cluster.ingress("theirs", host: "theirs.test", service: "web", className: "nginx")
            try await PorticoInstance.with(cluster, statusAddresses: ["10.0.0.1", "lb.example.com"]) { portico in
                try await waitUntil("status is written") {
                    let status = cluster.server.object(.ingresses, namespace: "default", name: "shop")?["status"]?["loadBalancer"]?["ingress"]
                    return (status?.arrayValue?.count ?? 0) == 2
                }
                let written = cluster.server.object(.ingresses, namespace: "default", name: "shop")?["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []
                #expect(written.compactMap { $0["hostname"]?.stringValue } == ["lb.example.com"])
                #expect(written.compactMap { $0["ip"]?.stringValue } == ["10.0.0.1"])
                // More publications (an unrelated change), and time for the status write to
                // come back through the watch: no second write.
                try cluster.backend("other", port: web.port)
                try await Task.sleep(for: .milliseconds(800))
                let puts = cluster.server.requests(verb: "update", resource: "ingresses/status", name: "shop")
                #expect(puts.count == 1)
                #expect(cluster.server.requests(verb: "update", resource: "ingresses/status", name: "theirs").isEmpty)

                // Leaving our class clears the status.
                try cluster.ingress("shop", host: "shop.test", service: "web", className: "nginx")
                try await waitUntil("status is cleared") {
                    let status = cluster.server.object(.ingresses, namespace: "default", name: "shop")?["status"]?["loadBalancer"]?["ingress"]
                    return (status?.arrayValue?.count ?? 0) == 0
                }
            }
        }
        try await web.close()
    }

    @Test func statusFollowsThePublishService() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try cluster.ingress("shop", host: "shop.test", service: "web")
            try cluster.apply(#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"portico","namespace":"portico"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}"#)
            let publish = NamespacedName(namespace: "portico", name: "portico")
            try await PorticoInstance.with(cluster, statusAddresses: [], publishService: publish) { portico in
                try await waitUntil("ready and leading") { portico.isReady && portico.isLeader }
                // The cloud assigns the load balancer an address: it becomes the Ingress's status.
                _ = try cluster.server.updateStatus(try JSONValue(parsing: #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"portico","namespace":"portico"},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}}"#))
                try await waitUntil("the Ingress shows the load balancer's address") {
                    let status = cluster.server.object(.ingresses, namespace: "default", name: "shop")?["status"]?["loadBalancer"]?["ingress"]
                    return status?.arrayValue?.first?["ip"]?.stringValue == "203.0.113.7"
                }
            }
        }
        try await web.close()
    }

    @Test func aRejectedIngressGetsAnEventNamingTheField() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await ClusterHarness.run { cluster in
            try cluster.backend("web", port: web.port)
            try await PorticoInstance.with(cluster) { portico in
                try await waitUntil("ready and leading") { portico.isReady && portico.isLeader }
                try cluster.ingress("bad", host: "Foo_Bar.test", service: "web")
                try await waitUntil("an Event is posted") { !cluster.server.objects(.events, namespace: "default").isEmpty }
                let events = cluster.server.objects(.events, namespace: "default")
                let event = try #require(events.first)
                #expect(event["involvedObject"]?["name"]?.stringValue == "bad")
                #expect(event["involvedObject"]?["kind"]?.stringValue == "Ingress")
                #expect(event["type"]?.stringValue == "Warning")
                #expect(event["reason"]?.stringValue == "Rejected")
                #expect(event["message"]?.stringValue?.hasPrefix("spec.rules[0].host") == true)
                // Not posted again while the problem stays.
                try cluster.backend("other", port: web.port)
                try await Task.sleep(for: .milliseconds(600))
                #expect(cluster.server.objects(.events, namespace: "default").count == events.count)
            }
        }
        try await web.close()
    }
}
