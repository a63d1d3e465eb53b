@testable import PorticoTestAPIServer
import Testing

private struct Lease: Codable, Equatable {
    struct Metadata: Codable, Equatable { var name: String }
    struct Spec: Codable, Equatable { var holderIdentity: String; var leaseDurationSeconds: Int }
    var apiVersion = "coordination.k8s.io/v1"
    var kind = "Lease"
    var metadata: Metadata
    var spec: Spec
}

@Suite("ObjectStore write rules and history")
struct ObjectStoreTests {
    @Test func snapshotAtAnOlderVersionUndoesLaterWrites() throws {
        var store = ObjectStore(initialResourceVersion: 10, historyLimit: 100)
        try store.create(.ingresses, namespace: "default", object: ingress("a"))
        try store.create(.ingresses, namespace: "default", object: ingress("b"))
        let version = store.resourceVersion
        try store.patch(.ingresses, namespace: "default", name: "a", subresource: nil, patch: ["metadata": ["labels": ["x": "1"]]])
        try store.delete(.ingresses, namespace: "default", name: "b")
        try store.create(.ingresses, namespace: "default", object: ingress("c"))

        let then = try store.list(.ingresses, namespace: nil, exactly: version)
        #expect(then.resourceVersion == version)
        #expect(then.items.map(\.0.name) == ["a", "b"])
        #expect(then.items.first?.1.labels == [:])
        #expect(try store.list(.ingresses, namespace: nil).items.map(\.0.name) == ["a", "c"])
        #expect(throws: APIStatus.self) { try store.list(.ingresses, namespace: nil, exactly: 9) }
    }

    @Test func historyLimitCompactsTheOldestEvents() throws {
        var store = ObjectStore(initialResourceVersion: 1, historyLimit: 2)
        for name in ["a", "b", "c"] {
            try store.create(.configMaps, namespace: nil, object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)]])
        }
        #expect(store.history.map(\.resourceVersion) == [3, 4])
        #expect(store.compactedThrough == 2)
        #expect(try store.events(after: 2).map(\.resourceVersion) == [3, 4])
        do {
            _ = try store.events(after: 1)
            Issue.record("expected 410")
        } catch {
            #expect(error.code == 410)
            #expect(error.message == "too old resource version: 1 (3)")
        }
    }

    @Test func codableValuesRoundTripThroughJSONValue() throws {
        let lease = Lease(metadata: .init(name: "leader"), spec: .init(holderIdentity: "a", leaseDurationSeconds: 15))
        let json = try JSONValue(encoding: lease)
        #expect(json["spec"]?["leaseDurationSeconds"] == 15)
        #expect(try json.decoded(as: Lease.self) == lease)
        #expect(json.serializedString == #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"leader"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15}}"#)
    }

    @Test func clusterScopedObjectsHaveNoNamespace() throws {
        var store = ObjectStore(initialResourceVersion: 1, historyLimit: 10)
        let write = try store.create(
            .ingressClasses,
            namespace: nil,
            object: ["apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": ["name": "portico", "namespace": "x"]]
        )
        #expect(write.object["metadata"]?["namespace"] == nil)
        #expect(try store.get(.ingressClasses, namespace: nil, name: "portico")["kind"] == "IngressClass")
    }

    @Test(arguments: [
        ("app=web", ["app": "web"], true),
        ("app==web,tier", ["app": "web"], false),
        ("app!=web", [:], true),
        ("!tier", ["tier": "x"], false),
        ("env in (a, b)", ["env": "b"], true),
        ("env notin (a,b)", ["env": "c"], true),
        ("", ["any": "thing"], true),
    ])
    func labelSelectors(selector: String, labels: [String: String], matches: Bool) throws {
        #expect(try Selector.parse(selector).matches(labels) == matches)
    }

    @Test func pathsResolveAgainstTheRegisteredTypes() {
        let store = ObjectStore(initialResourceVersion: 1, historyLimit: 10)
        let types = store.types
        #expect(
            ResourcePath.resolve("/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status", types: types)
                == ResourcePath(type: .ingresses, namespace: "default", name: "web", subresource: "status")
        )
        #expect(ResourcePath.resolve("/api/v1/services", types: types) == ResourcePath(type: .services))
        #expect(ResourcePath.resolve("/api/v1/namespaces/kube-system", types: types) == ResourcePath(type: .namespaces, name: "kube-system"))
        #expect(ResourcePath.resolve("/apis/networking.k8s.io/v1/ingressclasses/portico", types: types)?.name == "portico")
        #expect(ResourcePath.resolve("/api/v1/services/web", types: types) == nil)
        #expect(ResourcePath.resolve("/apis/networking.k8s.io/v2/ingresses", types: types) == nil)
        #expect(ResourcePath.resolve("/metrics", types: types) == nil)
    }
}
