import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("Routing through a real proxy")
struct RoutingIntegrationTests {
    @Test func routesByHostAndPathToTheRightBackend() async throws {
        let apiStub = try await UpstreamStub.start(name: "api")
        let webStub = try await UpstreamStub.start(name: "web")
        let otherStub = try await UpstreamStub.start(name: "other")
        let table = makeTable([
            TestRoute(host: .exact("shop.example.com"), path: .prefix("/api"), service: "api", endpoints: [apiStub.endpoint]),
            TestRoute(host: .exact("shop.example.com"), path: .prefix(""), service: "web", endpoints: [webStub.endpoint]),
            TestRoute(host: .wildcard("example.org"), path: .prefix(""), service: "other", endpoints: [otherStub.endpoint]),
        ])
        try await withProxy(table, stubs: [apiStub, webStub, otherStub]) { proxy in
            let api = try await proxy.send(uri: "/api/items?x=1", host: "shop.example.com")
            #expect(api.status == 200)
            #expect(api.header("x-stub-name") == "api")
            #expect(api.header("x-seen-path") == "/api/items?x=1")
            let web = try await proxy.send(uri: "/apiary", host: "SHOP.example.com:8080")
            #expect(web.header("x-stub-name") == "web")
            let other = try await proxy.send(uri: "/", host: "a.example.org")
            #expect(other.header("x-stub-name") == "other")
        }
    }

    @Test func unknownHostGets404WithShortBody() async throws {
        let stub = try await UpstreamStub.start(name: "web")
        let table = makeTable([TestRoute(host: .exact("a.example.com"), service: "web", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            let response = try await proxy.send(uri: "/", host: "b.example.com")
            #expect(response.status == 404)
            #expect(response.bodyString == "404 page not found\n")
            #expect(stub.receivedRequests == 0)
        }
    }

    @Test func missingServiceAndNoEndpointsGet503() async throws {
        let table = makeTable([
            TestRoute(host: .exact("empty.example.com"), service: "empty", endpoints: []),
            TestRoute(host: .exact("gone.example.com"), service: "gone", endpoints: [], serviceExists: false),
        ])
        try await withProxy(table) { proxy in
            let empty = try await proxy.send(host: "empty.example.com")
            #expect(empty.status == 503)
            #expect(empty.bodyString == "no healthy upstream\n")
            let gone = try await proxy.send(host: "gone.example.com")
            #expect(gone.status == 503)
        }
    }

    @Test func absoluteFormTargetRoutesByItsAuthority() async throws {
        let stub = try await UpstreamStub.start(name: "abs")
        let table = makeTable([TestRoute(host: .exact("abs.example.com"), service: "abs", endpoints: [stub.endpoint])])
        try await withProxy(table, stubs: [stub]) { proxy in
            let response = try await proxy.send(uri: "http://abs.example.com/p?q=1", host: "other.example.com")
            #expect(response.status == 200)
            #expect(response.header("x-seen-path") == "/p?q=1")
            #expect(response.header("x-seen-host") == "abs.example.com")
        }
    }

    @Test func roundRobinSpreadsRequestsOverTwoEndpoints() async throws {
        let first = try await UpstreamStub.start(name: "one")
        let second = try await UpstreamStub.start(name: "two")
        let table = makeTable([TestRoute(service: "rr", endpoints: [first.endpoint, second.endpoint])])
        try await withProxy(table, stubs: [first, second]) { proxy in
            var names: [String] = []
            try await HTTPTestClient.withConnection(port: proxy.port) { client in
                for _ in 0..<6 {
                    let response = try await client.send(uri: "/")
                    names.append(response.header("x-stub-name") ?? "?")
                }
            }
            // One downstream connection lives on one event loop, so one cursor alternates.
            #expect(names.filter { $0 == "one" }.count == 3)
            #expect(names.filter { $0 == "two" }.count == 3)
            #expect(zip(names, names.dropFirst()).allSatisfy { $0 != $1 })
        }
    }

    @Test func tableSwapMidRequestKeepsTheInFlightRequestOnItsTable() async throws {
        let old = try await UpstreamStub.start(name: "old", behavior: .delay(.milliseconds(300), then: .fixed(status: 200, body: "old")))
        let new = try await UpstreamStub.start(name: "new", behavior: .fixed(status: 200, body: "new"))
        let oldTable = makeTable([TestRoute(service: "svc", endpoints: [old.endpoint])], generation: 1)
        let newTable = makeTable([TestRoute(service: "svc", endpoints: [new.endpoint])], generation: 2)
        try await withProxy(oldTable, stubs: [old, new]) { proxy in
            async let inFlight = proxy.send(uri: "/slow")
            // Publish only once the old upstream has the request, so the swap is mid-request.
            let deadline = ContinuousClock.now + .seconds(5)
            while old.receivedRequests == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            proxy.store.publish(newTable)
            let after = try await proxy.send(uri: "/fast")
            #expect(after.bodyString == "new")
            let slow = try await inFlight
            #expect(slow.bodyString == "old")
        }
    }
}
