import PorticoKube
import PorticoModel
import Testing

@Suite("Reflector state")
struct ReflectorStateTests {
    private func item(_ name: String, _ version: String) -> ReflectedItem {
        .object(.service(Service(metadata: ObjectMeta(name: name, namespace: "default", resourceVersion: version))))
    }

    private func key(_ name: String) -> ObjectKey { ObjectKey(kind: .service, namespace: "default", name: name) }

    @Test func aRelistEmitsOnlyTheDifferences() {
        var state = ReflectorState(kind: .service)
        let first = state.listed([item("a", "1"), item("b", "2"), item("c", "3")], resourceVersion: "3")
        #expect(first.count == 4)
        #expect(first.last == .synced([.service]))

        let second = state.listed([item("a", "1"), item("b", "7"), item("d", "8")], resourceVersion: "9")
        let upserted = second.compactMap { event -> String? in
            if case .upserted(let object) = event { return object.key.name.name }
            return nil
        }
        #expect(upserted == ["b", "d"])
        #expect(second.contains(.deleted(key("c"))))
        #expect(!second.contains(.deleted(key("a"))))
        #expect(second.last == .synced([.service]))
        #expect(state.resourceVersion == "9")
    }

    @Test func aRepeatedWatchEventIsNotAppliedTwice() {
        var state = ReflectorState(kind: .service)
        _ = state.listed([], resourceVersion: "1")
        #expect(state.received(.upserted(item("a", "5"))) == .emit([.upserted(SourcedResource(item("a", "5").resource, origin: .apiServer))]))
        #expect(state.received(.upserted(item("a", "5"))) == .emit([]))
        #expect(state.received(.deleted(item("a", "6"))) == .emit([.deleted(key("a"))]))
        #expect(state.received(.deleted(item("a", "6"))) == .emit([]))
        #expect(state.resourceVersion == "6")
    }

    @Test func bookmarksMoveTheResumePoint() {
        var state = ReflectorState(kind: .service)
        _ = state.listed([], resourceVersion: "1")
        #expect(state.received(.bookmark(resourceVersion: "40")) == .emit([]))
        #expect(state.resourceVersion == "40")
    }

    @Test func goneMeansRelistAndOtherErrorsFail() {
        var state = ReflectorState(kind: .service)
        #expect(state.received(.error(APIStatus(reason: "Expired", code: 410))) == .relist)
        #expect(state.received(.error(APIStatus(reason: "InternalError", code: 500))) == .failed(APIStatus(reason: "InternalError", code: 500)))
    }

    @Test func anUndecodableObjectIsRejectedByName() throws {
        let json = #"{"metadata":{"name":"web","namespace":"shop","resourceVersion":"4"},"spec":{"ports":[{"port":"eighty"}]}}"#
        let lenient = try JSONDecoderHelper.decode(Lenient<Service>.self, json)
        let item = ReflectedItem(lenient, kind: .service) { Resource.service($0) }
        guard case .undecodable(let key, let version, let error) = item else {
            Issue.record("expected an undecodable item, got \(item)")
            return
        }
        #expect(key == ObjectKey(kind: .service, namespace: "shop", name: "web"))
        #expect(version == "4")
        #expect(error.field == "spec.ports[0].port")
        #expect(error.description.contains("Service shop/web"))
    }
}

private extension ReflectedItem {
    var resource: Resource {
        if case .object(let resource) = self { return resource }
        return .service(Service(metadata: ObjectMeta()))
    }
}
