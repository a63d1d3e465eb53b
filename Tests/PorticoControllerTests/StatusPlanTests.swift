@testable import PorticoController
import PorticoModel
import PorticoRouting
import Testing

@Suite("Status plan")
struct StatusPlanTests {
    private func name(_ text: String) -> NamespacedName { NamespacedName(namespace: "default", name: text) }

    private func store(_ ingresses: [(String, [String])], service: [String]? = nil) -> [ObjectKey: SourcedResource] {
        var objects: [ObjectKey: SourcedResource] = [:]
        for (ingressName, ips) in ingresses {
            let status = ips.isEmpty ? nil : Ingress.Status(loadBalancer: LoadBalancerStatus(ingress: ips.map { LoadBalancerStatus.Ingress(ip: $0) }))
            let ingress = Ingress(metadata: ObjectMeta(name: ingressName, namespace: "default", resourceVersion: "1"), status: status)
            let object = SourcedResource(.ingress(ingress), origin: .apiServer)
            objects[object.key] = object
        }
        if let service {
            let lb = Service(
                metadata: ObjectMeta(name: "portico", namespace: "ops"),
                status: Service.Status(loadBalancer: LoadBalancerStatus(ingress: service.map { LoadBalancerStatus.Ingress(hostname: $0) }))
            )
            let object = SourcedResource(.service(lb), origin: .apiServer)
            objects[object.key] = object
        }
        return objects
    }

    @Test func statusAddressesAreSortedAndTypedAsIPOrHostName() {
        let addresses = StatusPlan.addresses(statusAddresses: ["lb.example.com", "10.0.0.2", "2001:db8::1"], publishService: nil, objects: [:])
        #expect(addresses == [
            LoadBalancerStatus.Ingress(hostname: "lb.example.com"),
            LoadBalancerStatus.Ingress(ip: "10.0.0.2"),
            LoadBalancerStatus.Ingress(ip: "2001:db8::1"),
        ])
    }

    @Test func thePublishServiceStatusIsUsedWhenNoAddressIsGiven() {
        let objects = store([], service: ["b.example", "a.example"])
        let addresses = StatusPlan.addresses(statusAddresses: [], publishService: NamespacedName(namespace: "ops", name: "portico"), objects: objects)
        #expect(addresses == [LoadBalancerStatus.Ingress(hostname: "a.example"), LoadBalancerStatus.Ingress(hostname: "b.example")])
        #expect(StatusPlan.addresses(statusAddresses: [], publishService: nil, objects: objects) == nil)
    }

    @Test func onlyDifferentStatusesAreWritten() {
        let objects = store([("done", ["10.0.0.1"]), ("new", []), ("stale", ["10.9.9.9"])])
        let changes = StatusPlan.changes(
            owned: [name("done"), name("new"), name("stale")], previouslyOwned: [], objects: objects,
            addresses: [LoadBalancerStatus.Ingress(ip: "10.0.0.1")]
        )
        #expect(changes.map(\.ingress) == [name("new"), name("stale")])
        #expect(changes.allSatisfy { $0.addresses == [LoadBalancerStatus.Ingress(ip: "10.0.0.1")] })
    }

    @Test func anIngressThatLeftOurClassIsClearedOnlyWhenItShowsOurAddresses() {
        let objects = store([("left", ["10.0.0.1"]), ("other", ["10.5.5.5"])])
        let changes = StatusPlan.changes(
            owned: [], previouslyOwned: [name("left"), name("other")], objects: objects,
            addresses: [LoadBalancerStatus.Ingress(ip: "10.0.0.1")]
        )
        #expect(changes == [StatusPlan.Change(ingress: name("left"), addresses: [])])
    }

    @Test func eventsAreWantedForIngressDiagnosticsOnly() {
        let ingress = ObjectKey(kind: .ingress, namespace: "default", name: "web")
        let findings = [
            Diagnostic(severity: .error, object: ingress, origin: .apiServer, field: "spec.rules[0].host", message: "is not a valid DNS name"),
            Diagnostic(severity: .warning, object: ingress, origin: .apiServer, field: "spec.tls[0].hosts", message: "lists no hosts"),
            Diagnostic(severity: .warning, object: ObjectKey(kind: .service, namespace: "default", name: "web"), origin: .apiServer, field: "", message: "x"),
        ]
        let wanted = EventRecorder.wanted(findings)
        #expect(wanted.map(\.reason) == ["ConfigWarning", "Rejected"])
        #expect(wanted.last?.message == "spec.rules[0].host: is not a valid DNS name")
    }
}
