import Foundation
import PorticoTestAPIServer
import Testing

@Suite("TestAPIServer watch streams")
struct WatchTests {
    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

    /// Opens a watch with curl, waits until the server has it open, runs `change`, then ends
    /// the watches (cleanly unless `drop`) and returns what curl received.
    func watch(_ server: TestAPIServer, _ query: String, drop: Bool = false, change: () throws -> Void) async throws -> Curl.Result {
        let before = server.openWatchCount
        let stream = Task { try await Curl(server).get(Self.ingresses + "?watch=1&" + query) }
        #expect(await server.waitForWatches(atLeast: before + 1))
        try change()
        if drop { server.dropWatches() } else { server.endWatches() }
        return try await stream.value
    }

    func types(_ result: Curl.Result) -> [String] {
        result.lines.compactMap { $0["type"]?.stringValue }
    }

    @Test func liveEventsAreChunkedLinesInOrder() async throws {
        try await withServer { server in
            let result = try await watch(server, "resourceVersion=\(server.resourceVersion)") {
                let created = try server.create(ingress("web"))
                var changed = created
                changed["spec"] = ["rules": [["host": "b.example"]]]
                try server.update(changed)
                try server.apply(ingress("other", namespace: "elsewhere"))
                try server.delete(.ingresses, name: "web")
            }
            #expect(result.status == 200)
            #expect(result.exitCode == 0)
            #expect(result.header("transfer-encoding") == "chunked")
            #expect(result.header("content-type") == "application/json")
            #expect(types(result) == ["ADDED", "MODIFIED", "DELETED"])
            let versions = result.lines.compactMap { resourceVersion($0["object"]) }
            #expect(versions == versions.sorted() && Set(versions).count == 3)
            #expect(result.lines.first?["object"]?["kind"] == "Ingress")
            #expect(versions.last == server.resourceVersion)
            #expect(server.openWatchCount == 0)
        }
    }

    @Test func concurrentWritesReachAWatchOnceEachInResourceVersionOrder() async throws {
        try await withServer { server in
            let before = server.openWatchCount
            let stream = Task { try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=\(server.resourceVersion)") }
            #expect(await server.waitForWatches(atLeast: before + 1))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<25 { try server.create(ingress("w\(writer)-\(index)")) }
                    }
                }
                try await group.waitForAll()
            }
            server.endWatches()
            let result = try await stream.value
            let versions = result.lines.compactMap { resourceVersion($0["object"]) }
            #expect(versions.count == 100)
            #expect(versions == versions.sorted() && Set(versions).count == 100)
            #expect(Set(types(result)) == ["ADDED"])
        }
    }

    @Test func watchFromAResourceVersionReplaysTheHistoryAfterIt() async throws {
        try await withServer { server in
            try server.apply(ingress("a"))
            let from = server.resourceVersion
            try server.apply(ingress("b"))
            try server.apply(ingress("a", host: "changed.example"))
            // timeoutSeconds ends the stream cleanly with the terminating chunk.
            let result = try await Curl(server).get(Self.ingresses + "?watch=true&resourceVersion=\(from)&timeoutSeconds=1")
            #expect(result.exitCode == 0)
            #expect(types(result) == ["ADDED", "MODIFIED"])
            #expect(result.lines.map { $0["object"]?["metadata"]?["name"] } == ["b", "a"])
        }
    }

    @Test func watchWithoutResourceVersionStartsWithTheCurrentObjects() async throws {
        try await withServer { server in
            try server.apply(ingress("a"))
            try server.apply(ingress("b", labels: ["app": "x"]))
            let result = try await watch(server, "labelSelector=app%3Dx") {
                try server.apply(ingress("a", labels: ["app": "x"]))
                try server.apply(ingress("b"))
            }
            // b is listed, a joins the selector (ADDED), b leaves it (DELETED).
            #expect(types(result) == ["ADDED", "ADDED", "DELETED"])
            #expect(result.lines.map { $0["object"]?["metadata"]?["name"] } == ["b", "a", "b"])
        }
    }

    @Test func sendInitialEventsEndsTheListWithAnAnnotatedBookmark() async throws {
        try await withServer { server in
            try server.apply(["apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": ["name": "portico"]])
            try server.apply(["apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": ["name": "other"]])
            let path = "/apis/networking.k8s.io/v1/ingressclasses?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                + "&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dportico&timeoutSeconds=1"
            let result = try await Curl(server).get(path)
            #expect(types(result) == ["ADDED", "BOOKMARK"])
            #expect(result.lines.first?["object"]?["metadata"]?["name"] == "portico")
            #expect(result.lines.first?["object"]?["metadata"]?["namespace"] == nil)
            let bookmark = result.lines.last?["object"]?["metadata"]
            #expect(bookmark?["annotations"] == ["k8s.io/initial-events-end": "true"])
            #expect(bookmark?["resourceVersion"] == .string(String(server.resourceVersion)))
        }
    }

    @Test func compactedResourceVersionIsAnExpiredErrorEvent() async throws {
        try await withServer { server in
            try server.apply(ingress("a"))
            let old = server.resourceVersion
            try server.apply(ingress("b"))
            server.compact()
            let result = try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=\(old - 1)&timeoutSeconds=5")
            #expect(result.status == 200)
            #expect(result.exitCode == 0)
            #expect(result.lines.count == 1)
            let error = try #require(result.lines.first)
            #expect(error["type"] == "ERROR")
            #expect(error["object"]?["kind"] == "Status")
            #expect(error["object"]?["code"] == 410)
            #expect(error["object"]?["reason"] == "Expired")
            #expect(error["object"]?["message"]?.stringValue?.hasPrefix("too old resource version: \(old - 1) (") == true)
            #expect(server.openWatchCount == 0)
            // The current version still works after compaction.
            let current = try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=\(server.resourceVersion)&timeoutSeconds=1")
            #expect(current.lines.isEmpty && current.exitCode == 0)
        }
    }

    @Test func bookmarksCarryOnlyTheResourceVersion() async throws {
        try await withServer { server in
            try server.apply(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"]])
            let result = try await watch(server, "resourceVersion=\(server.resourceVersion)&allowWatchBookmarks=true") {
                server.sendBookmarks()
            }
            #expect(types(result) == ["BOOKMARK"])
            let bookmark = try #require(result.lines.first?["object"])
            #expect(bookmark["kind"] == "Ingress")
            #expect(bookmark["apiVersion"] == "networking.k8s.io/v1")
            #expect(bookmark["metadata"] == ["resourceVersion": .string(String(server.resourceVersion))])
            // A watch that did not ask for bookmarks gets none.
            let plain = try await watch(server, "resourceVersion=\(server.resourceVersion)") { server.sendBookmarks() }
            #expect(plain.lines.isEmpty)
        }
    }

    @Test func periodicBookmarksStopWhilePaused() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.bookmarkInterval = .milliseconds(50)
        try await withServer(configuration: configuration) { server in
            let result = try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=1")
            #expect(types(result).count >= 3)
            #expect(Set(types(result)) == ["BOOKMARK"])
            server.pauseBookmarks()
            let paused = try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=1")
            #expect(paused.lines.isEmpty)
        }
    }

    @Test func droppedWatchIsCutMidStreamAndResumesWithoutLossOrDuplicates() async throws {
        try await withServer { server in
            let dropped = try await watch(server, "resourceVersion=\(server.resourceVersion)", drop: true) {
                try server.apply(ingress("a"))
            }
            // No terminating chunk: curl reports a partial transfer.
            #expect(dropped.exitCode != 0)
            #expect(types(dropped) == ["ADDED"])
            let last = try #require(resourceVersion(dropped.lines.last?["object"]))
            try server.apply(ingress("b"))
            try server.apply(ingress("c"))
            let resumed = try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=\(last)&timeoutSeconds=1")
            #expect(resumed.lines.map { $0["object"]?["metadata"]?["name"] } == ["b", "c"])
        }
    }

    @Test func dropConnectionsCutsEveryConnectionAndKeepsTheState() async throws {
        try await withServer { server in
            try server.apply(ingress("a"))
            let version = server.resourceVersion
            let stream = Task { try await Curl(server).get(Self.ingresses + "?watch=1&resourceVersion=\(version)") }
            #expect(await server.waitForWatches(atLeast: 1))
            #expect(server.openConnectionCount == 1)
            server.dropConnections()
            let cut = try await stream.value
            #expect(cut.exitCode != 0)
            #expect(await server.wait { $0.openConnectionCount == 0 })
            #expect(server.openWatchCount == 0)
            #expect(server.acceptedConnectionCount == 1)
            let after = try await Curl(server).get(Self.ingresses + "/a")
            #expect(resourceVersion(after.json) == version)
        }
    }

    @Test func expireWatchesSendsGoneToOpenWatches() async throws {
        try await withServer { server in
            let before = server.openWatchCount
            let stream = Task { try await Curl(server).get(Self.ingresses + "?watch=1") }
            #expect(await server.waitForWatches(atLeast: before + 1))
            server.expireWatches()
            let result = try await stream.value
            #expect(result.exitCode == 0)
            #expect(result.lines.first?["type"] == "ERROR")
            #expect(result.lines.first?["object"]?["code"] == 410)
        }
    }

    @Test func watchesAreCountedAsWatchRequests() async throws {
        try await withServer { server in
            _ = try await Curl(server).get(Self.ingresses + "?watch=1&timeoutSeconds=1")
            _ = try await Curl(server).get(Self.ingresses)
            #expect(server.requests(verb: "watch", resource: "ingresses").count == 1)
            #expect(server.requests(verb: "list").count == 1)
        }
    }
}
