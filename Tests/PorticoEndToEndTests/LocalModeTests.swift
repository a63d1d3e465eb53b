import Foundation
import NIOCore
import NIOHTTP1
import PorticoController
import PorticoProxy
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// Portico as a user runs it: a manifest folder in, real HTTP through real sockets out.
@Suite("Local mode end to end")
struct LocalModeTests {
    @Test func routesByHostAndPathToStubBackends() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let api = try await UpstreamStub.start(name: "api")
        let files = [
            "services.yaml": ManifestYAML.service("web", port: web.port) + "---\n" + ManifestYAML.service("api", port: api.port),
            "ingress.yaml": ManifestYAML.ingress("demo", rules: [("shop.test", "/", "web"), ("shop.test", "/api", "api"), ("api.test", "/", "api")]),
        ]
        try await PorticoHarness.run(files: files) { portico in
            let root = try await portico.get(host: "shop.test", path: "/")
            #expect(root.header("x-stub-name") == "web")
            let apiPrefix = try await portico.get(host: "shop.test", path: "/api/v1?x=1")
            #expect(apiPrefix.header("x-stub-name") == "api")
            let mixedCaseHostWithPort = try await portico.get(host: "SHOP.test:8080", path: "/apix")
            #expect(mixedCaseHostWithPort.header("x-stub-name") == "web")
            let otherHost = try await portico.get(host: "api.test", path: "/anything")
            #expect(otherHost.header("x-stub-name") == "api")
            let unknownHost = try await portico.get(host: "nowhere.test", path: "/")
            #expect(unknownHost.status == 404)
        }
        try await web.close()
        try await api.close()
    }

    @Test func adminEndpointsAnswer() async throws {
        let web = try await UpstreamStub.start(name: "web")
        try await PorticoHarness.run(files: ["all.yaml": ManifestYAML.service("web", port: web.port)]) { portico in
            try await HTTPTestClient.withConnection(port: portico.adminPort) { client in
                let healthz = try await client.send(uri: "/healthz")
                #expect(healthz.status == 200)
                let ready = try await client.send(uri: "/readyz")
                #expect(ready.status == 200)
                #expect(ready.bodyString == "ready\n")
                let unknownPath = try await client.send(uri: "/nope")
                #expect(unknownPath.status == 404)
                let post = try await client.send(method: .POST, uri: "/readyz")
                #expect(post.status == 405)
            }
        }
        try await web.close()
    }

    /// The folder is rewritten 50 times while a client keeps requesting: no request may fail,
    /// and the last rewrite is what serves at the end.
    @Test func fiftyRewritesUnderTrafficLoseNoRequest() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let files = [
            "services.yaml": ManifestYAML.service("web", port: web.port),
            "ingress.yaml": ManifestYAML.ingress("demo", rules: [("live.test", "/", "web"), ("live.test", "/v0", "web")]),
        ]
        try await PorticoHarness.run(files: files) { portico in
            let failures = try await withThrowingTaskGroup(of: (requests: Int, failures: [String]).self) { group in
                let stop = ManagedFlag()
                let served = ManagedCounter()
                for _ in 0..<2 {
                    group.addTask {
                        var requests = 0
                        var failures: [String] = []
                        // Keep-alive connections, so that swaps happen under open connections.
                        try await HTTPTestClient.withConnection(port: portico.proxyPort) { client in
                            while !stop.isSet, requests < 20_000 {
                                let response = try await client.send(uri: "/", host: "live.test")
                                requests += 1
                                served.increment()
                                if response.status != 200 { failures.append("status \(response.status)") }
                            }
                        }
                        return (requests, failures)
                    }
                }
                group.addTask {
                    for round in 1...50 {
                        // Each table swap comes after at least one request was served under the
                        // previous one: on a loaded machine (the whole suite on two cores) the
                        // clients can otherwise fall so far behind that few swaps see traffic.
                        try await served.waitUntil(atLeast: round, timeout: .seconds(10))
                        try portico.write("ingress.yaml", ManifestYAML.ingress("demo", rules: [("live.test", "/", "web"), ("live.test", "/v\(round)", "web")]))
                        try await Task.sleep(for: .milliseconds(60))
                    }
                    try await portico.waitUntil("the last rewrite serves") {
                        guard case .cluster(_)? = portico.services.routes.current.lookup(host: "live.test", path: "/v50/x")?.backend else { return false }
                        return portico.services.routes.current.virtualHosts.first?.routes.contains { $0.match.path == "/v50" } == true
                    }
                    stop.set()
                    return (0, [])
                }
                var total = 0
                var failures: [String] = []
                for try await result in group {
                    total += result.requests
                    failures += result.failures
                }
                #expect(total >= 50)
                return failures
            }
            #expect(failures.isEmpty)
            #expect(portico.services.routes.current.generation > 1)
        }
        try await web.close()
    }

    @Test func aBrokenEditKeepsTheLastGoodVersionServing() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let files = [
            "services.yaml": ManifestYAML.service("web", port: web.port),
            "ingress.yaml": ManifestYAML.ingress("demo", rules: [("keep.test", "/good", "web")]),
        ]
        try await PorticoHarness.run(files: files) { portico in
            let beforeEdit = try await portico.get(host: "keep.test", path: "/good")
            #expect(beforeEdit.status == 200)
            let generation = portico.services.routes.current.generation
            try portico.write("ingress.yaml", ManifestYAML.ingress("demo", rules: [("keep.test", "/good", "web")], pathType: "Prefixx"))
            try await portico.waitUntil("the bad edit is translated") {
                portico.services.routes.current.generation > generation
            }
            let afterBadEdit = try await portico.get(host: "keep.test", path: "/good")
            #expect(afterBadEdit.status == 200)

            try portico.write("ingress.yaml", "this: [is not yaml")
            try await Task.sleep(for: .milliseconds(600))
            let afterSyntaxError = try await portico.get(host: "keep.test", path: "/good")
            #expect(afterSyntaxError.status == 200)
        }
        try await web.close()
    }

    @Test func checkReportsFileLineAndField() throws {
        let folder = try TemporaryFolder(prefix: "portico-check", files: [
            "svc.yaml": ManifestYAML.service("web", port: 9),
            "bad.yaml": ManifestYAML.ingress("bad", rules: [("bad.test", "/", "web")], pathType: "Prefixx"),
            "good.yaml": ManifestYAML.ingress("good", rules: [("good.test", "/", "web")]),
        ])
        defer { folder.remove() }

        let check = try ManifestCheck.run(directory: folder.path, options: TranslationOptions())
        #expect(check.errorCount == 1)
        #expect(check.problems.contains { $0.hasPrefix("error: \(folder.path)/bad.yaml:1: Ingress default/bad: spec.rules[0].http.paths[0].pathType:") })
        #expect(check.table.lookup(host: "good.test", path: "/") != nil)
        #expect(check.table.lookup(host: "bad.test", path: "/") == nil)
        #expect(RouteListing.render(check.table).contains("good.test"))
    }

    @Test func checkOfAMissingFolderThrowsNamingIt() {
        #expect(throws: (any Error).self) {
            try ManifestCheck.run(directory: "/nonexistent/portico-folder", options: TranslationOptions())
        }
    }
}

/// A flag set once from one task and read from others.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

import Synchronization

/// Requests served so far, counted by the test's clients.
final class ManagedCounter: Sendable {
    struct Stalled: Error, CustomStringConvertible {
        let count: Int
        let wanted: Int
        var description: String { "only \(count) requests served, waited for \(wanted)" }
    }

    private let value = Mutex(0)

    func increment() { value.withLock { $0 += 1 } }

    /// Returns once `count` requests have been served; throws after `timeout`.
    func waitUntil(atLeast count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = value.withLock { $0 }
            if current >= count { return }
            guard ContinuousClock.now < deadline else { throw Stalled(count: current, wanted: count) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
