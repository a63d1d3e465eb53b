import PorticoKube
import PorticoModel
import Testing

@Suite("Reflector against a scripted API")
struct ReflectorTests {
    @Test func listsInPagesThenWatchesFromTheListVersionWithBookmarks() async throws {
        let api = FakeKubernetesAPI()
        api.setItems(.services, (1...5).map { JSON.service("s\($0)", version: "\($0)") }, resourceVersion: "10")
        try await withServiceReflector(api) { events in
            try await waitUntil("the watch starts") { api.watchCount(.services) == 1 }
            let lists = api.requests("list", .services)
            #expect(lists.count == 3)
            #expect(lists.map(\.list?.limit) == [2, 2, 2])
            #expect(lists.map(\.list?.continueToken) == [nil, "2", "4"])
            #expect(events.upserts == ["s1@1", "s2@2", "s3@3", "s4@4", "s5@5"])
            #expect(events.all.last == .synced([.service]))
            let watch = try #require(api.requests("watch", .services).first?.watch)
            #expect(watch.resourceVersion == "10")
            #expect(watch.allowWatchBookmarks)
            #expect((1...2).contains(watch.timeoutSeconds ?? 0))
        }
    }

    @Test func resumesFromTheLastEventAfterADroppedStreamWithNothingLostOrDoubled() async throws {
        let api = FakeKubernetesAPI()
        api.setItems(.services, [JSON.service("a", version: "1")], resourceVersion: "1")
        try await withServiceReflector(api) { events in
            try await waitUntil("the first watch") { api.watchCount(.services) == 1 }
            api.push(.services, JSON.event("ADDED", JSON.service("b", version: "2")))
            api.push(.services, JSON.event("MODIFIED", JSON.service("a", version: "3")))
            try await waitUntil("two events") { events.upserts.count == 3 }
            api.endWatch(.services, error: KubeAPIError(kind: .transport, message: "connection reset"))
            try await waitUntil("the second watch") { api.watchCount(.services) == 2 }
            #expect(api.requests("watch", .services).last?.watch?.resourceVersion == "3")
            // A server may repeat the event at the resume point: it is not applied twice.
            api.push(.services, JSON.event("MODIFIED", JSON.service("a", version: "3")))
            api.push(.services, JSON.event("DELETED", JSON.service("b", version: "4")))
            try await waitUntil("the delete") { events.deletes == ["b"] }
            #expect(events.upserts == ["a@1", "b@2", "a@3"])
            #expect(api.requests("list", .services).count == 1)
        }
    }

    @Test func resumesFromABookmarkAfterTheServerEndsTheWatch() async throws {
        let api = FakeKubernetesAPI()
        api.setItems(.services, [], resourceVersion: "5")
        try await withServiceReflector(api) { _ in
            try await waitUntil("the first watch") { api.watchCount(.services) == 1 }
            api.push(.services, JSON.bookmark("77"))
            try await Task.sleep(for: .milliseconds(20))
            api.endWatch(.services)
            try await waitUntil("the second watch") { api.watchCount(.services) == 2 }
            #expect(api.requests("watch", .services).last?.watch?.resourceVersion == "77")
        }
    }

    @Test func relistsAfterGoneAndEmitsOnlyTheDifferences() async throws {
        let api = FakeKubernetesAPI()
        api.setItems(.services, [JSON.service("a", version: "1"), JSON.service("b", version: "2")], resourceVersion: "2")
        try await withServiceReflector(api) { events in
            try await waitUntil("the first watch") { api.watchCount(.services) == 1 }
            // While the watch was away, b was deleted, c created, a unchanged; then 410.
            api.setItems(.services, [JSON.service("a", version: "1"), JSON.service("c", version: "9")], resourceVersion: "9")
            api.push(.services, JSON.gone)
            try await waitUntil("the relist's watch") { api.watchCount(.services) == 2 }
            #expect(api.requests("list", .services).count == 2)
            #expect(events.upserts == ["a@1", "b@2", "c@9"])
            #expect(events.deletes == ["b"])
            #expect(events.syncCount == 2)
            #expect(api.requests("watch", .services).last?.watch?.resourceVersion == "9")
        }
    }

    @Test func relistsAfterAn410Answer() async throws {
        let api = FakeKubernetesAPI()
        api.setItems(.services, [], resourceVersion: "2")
        try await withServiceReflector(api) { _ in
            try await waitUntil("the first watch") { api.watchCount(.services) == 1 }
            api.fail("watch", with: KubeAPIError(kind: .status, httpStatus: 410, status: APIStatus(reason: "Gone", code: 410), message: "gone"))
            api.endWatch(.services)
            try await waitUntil("a second list") { api.requests("list", .services).count == 2 }
        }
    }

    @Test func oneUndecodableItemIsRejectedAndTheOthersProceed() async throws {
        let api = FakeKubernetesAPI()
        let bad = #"{"metadata":{"name":"bad","namespace":"default","resourceVersion":"2"},"spec":{"ports":"all"}}"#
        api.setItems(.services, [JSON.service("a", version: "1"), bad, JSON.service("c", version: "3")], resourceVersion: "3")
        try await withServiceReflector(api) { events in
            try await waitUntil("the first watch") { api.watchCount(.services) == 1 }
            #expect(events.upserts == ["a@1", "c@3"])
            let rejected = events.all.compactMap { event -> (ObjectKey?, SourceError)? in
                if case .rejected(let key, let error) = event { return (key, error) }
                return nil
            }
            #expect(rejected.count == 1)
            #expect(rejected.first?.0 == ObjectKey(kind: .service, namespace: "default", name: "bad"))
            #expect(rejected.first?.1.field == "spec.ports")
        }
    }

    @Test func backsOffAndHonoursRetryAfter() async throws {
        let api = FakeKubernetesAPI()
        api.setItems(.services, [], resourceVersion: "1")
        api.fail("list", with: KubeAPIError(kind: .status, httpStatus: 429, retryAfter: .milliseconds(300), message: "slow down"))
        api.fail("list", with: KubeAPIError(kind: .transport, message: "connection refused"), times: 2)
        try await withServiceReflector(api) { events in
            try await waitUntil("the list succeeds") { events.syncCount == 1 }
            let lists = api.requests("list", .services)
            #expect(lists.count == 4)
            #expect(lists[1].at - lists[0].at >= .milliseconds(300))
            // Exponential: the third wait is not shorter than half the second step's.
            #expect(lists[3].at - lists[2].at >= .milliseconds(5))
        }
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesUpToTheMaximum() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        let delays = (0..<6).map { _ in backoff.next(jitter: 1) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        backoff.reset()
        #expect(backoff.next(jitter: 1) == .milliseconds(100))
    }

    @Test func jitterKeepsTheUpperHalf() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(backoff.next(jitter: 0) == .milliseconds(50))
    }

    @Test func retryAfterWinsWhenLonger() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(backoff.next(retryAfter: .seconds(3), jitter: 1) == .seconds(3))
        #expect(backoff.next(retryAfter: .milliseconds(1), jitter: 1) == .milliseconds(200))
    }
}
