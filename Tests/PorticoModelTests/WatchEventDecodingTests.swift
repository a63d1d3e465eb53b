import Foundation
import PorticoModel
import Testing

@Suite("Watch events and lists as the API server writes them")
struct WatchEventDecodingTests {
    private func event(_ line: String) throws -> WatchEvent<ConfigMap> {
        try JSONDecoder().decode(WatchEvent<ConfigMap>.self, from: Data(line.utf8))
    }

    @Test func objectEventsCarryTheObject() throws {
        let line = #"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n","resourceVersion":"7"},"data":{"k":"v"}}}"#
        guard case .modified(let map) = try event(line) else {
            Issue.record("expected MODIFIED")
            return
        }
        #expect(map.metadata.resourceVersion == "7")
        #expect(map.data?["k"] == "v")
    }

    @Test func bookmarkCarriesOnlyTheResourceVersion() throws {
        let line = #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"12345"}}}"#
        guard case .bookmark(let version) = try event(line) else {
            Issue.record("expected BOOKMARK")
            return
        }
        #expect(version == "12345")
    }

    @Test func errorCarriesTheStatus() throws {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}}"#
        guard case .error(let status) = try event(line) else {
            Issue.record("expected ERROR")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == "Expired")
    }

    @Test func unknownTypeIsAnError() {
        #expect(throws: DecodingError.self) { try event(#"{"type":"RESTARTED","object":{}}"#) }
    }

    @Test func listWithNullItemsIsEmpty() throws {
        let list = try JSONDecoder().decode(
            ObjectList<ConfigMap>.self,
            from: Data(#"{"kind":"ConfigMapList","metadata":{"resourceVersion":"3","continue":"abc"},"items":null}"#.utf8)
        )
        #expect(list.items.isEmpty)
        #expect(list.metadata.resourceVersion == "3")
        #expect(list.metadata.continue == "abc")
    }
}
