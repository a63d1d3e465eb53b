import PorticoController
import PorticoModel
import Testing

@Suite struct ResourceStoreTests {
    private func service(_ name: String, port: Int = 80) -> SourcedResource {
        SourcedResource(
            .service(Service(metadata: ObjectMeta(name: name, namespace: "default"), spec: .init(ports: [.init(port: port)]))),
            origin: .file(path: "services.yaml", line: 1)
        )
    }

    private func slice(_ name: String) -> SourcedResource {
        SourcedResource(.endpointSlice(EndpointSlice(metadata: ObjectMeta(name: name, namespace: "default"))), origin: .apiServer)
    }

    @Test func anIdenticalObjectIsNoChange() {
        var store = ResourceStore()
        #expect(store.upsert(service("web")) == .routes)
        #expect(store.upsert(service("web")) == .none)
        #expect(store.upsert(service("web", port: 81)) == .routes)
    }

    @Test func endpointKindsOnlyChangeEndpoints() {
        var store = ResourceStore()
        #expect(store.upsert(slice("web-1")) == .endpoints)
        #expect(store.delete(slice("web-1").key) == .endpoints)
    }

    @Test func deletingWhatIsNotThereIsNoChange() {
        var store = ResourceStore()
        #expect(store.delete(ObjectKey(kind: .ingress, namespace: "default", name: "gone")) == .none)
        _ = store.upsert(service("web"))
        #expect(store.delete(service("web").key) == .routes)
        #expect(store.objects.isEmpty)
    }
}
