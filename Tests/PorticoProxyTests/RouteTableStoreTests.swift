import PorticoRouteTable
import Testing

@testable import PorticoProxy

@Suite("RouteTableStore")
struct RouteTableStoreTests {
    @Test func aPublishServesTheNewTableAtOnce() {
        let store = RouteTableStore(RouteTable(generation: 1, virtualHosts: []))
        store.publish(RouteTable(generation: 2, virtualHosts: []))
        #expect(store.current.generation == 2)
    }

    /// The replaced table must not be freed by whoever happens to drop it last (often a request
    /// on an event loop): the store keeps it for the delay, then lets go from a task of its own.
    @Test func aReplacedTableOutlivesThePublishByTheDelayThenGoes() async throws {
        let store = RouteTableStore(RouteTable(generation: 1, virtualHosts: []), retirementDelay: .milliseconds(300))
        weak let first = store.current
        #expect(first != nil)
        store.publish(RouteTable(generation: 2, virtualHosts: []))
        #expect(first != nil, "held for the delay although nothing else refers to it")
        let deadline = ContinuousClock.now + .seconds(10)
        while first != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(first == nil, "released after the delay")
        #expect(store.current.generation == 2)
    }
}
