import Foundation
@testable import PorticoManifests
import PorticoModel
import PorticoTestSupport
import Testing

/// Serialized: its tests time folder changes closely and run their own watchers one at a time.
@Suite("ManifestSource", .serialized)
struct ManifestSourceTests {
    static let allKinds = ResourceEvent.synced(Set(ResourceKind.allCases))

    func source(_ folder: TemporaryFolder, inotify: Bool = true) throws -> ManifestSource {
        try ManifestSource(folder: folder.path, pollInterval: .milliseconds(20), settleInterval: .milliseconds(20), inotify: inotify)
    }

    func key(_ name: String, _ kind: ResourceKind = .service) -> ObjectKey {
        ObjectKey(kind: kind, namespace: "default", name: name)
    }

    @Test("the initial batch upserts every object, rejects every problem, then syncs every kind")
    func initialBatch() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a") + "\n---\n" + Manifests.ingress("web"))
        try folder.write("b.yaml", Manifests.service("b", port: "abc"))
        let recorder = EventRecorder(try source(folder))
        let batch = try await recorder.batch(1)
        await recorder.stop()
        let keys = batch.compactMap { event -> ObjectKey? in
            if case .upserted(let resource) = event { return resource.key }
            return nil
        }
        #expect(keys == [key("web", .ingress), key("a")])
        #expect(batch.count == 4)
        guard case .rejected(let rejectedKey, let error) = batch[2] else {
            Issue.record("expected a rejection, got \(batch[2])")
            return
        }
        #expect(rejectedKey == key("b"))
        #expect(error.description == "\(folder.path("b.yaml")):9: spec.ports[0].port: expected a whole number, found 'abc'")
        #expect(batch.last == Self.allKinds)
    }

    @Test("an edit upserts the object; removing a document deletes only its object", arguments: [true, false])
    func editAndRemove(inotify: Bool) async throws {
        let folder = try TemporaryFolder()
        try folder.write("app.yaml", Manifests.service("a") + "\n---\n" + Manifests.service("b"))
        let recorder = EventRecorder(try source(folder, inotify: inotify))
        _ = try await recorder.batch(1)

        try folder.write("app.yaml", Manifests.service("a", port: "8080") + "\n---\n" + Manifests.service("b"))
        let edit = try await recorder.batch(2)
        #expect(edit.count == 2)
        guard case .upserted(let resource) = edit.first, case .service(let service) = resource.resource else {
            Issue.record("expected an upserted service, got \(edit)")
            return
        }
        #expect(resource.key == key("a"))
        #expect(service.spec?.ports?.first?.port == 8080)

        try folder.write("app.yaml", Manifests.service("a", port: "8080"))
        let removal = try await recorder.batch(3)
        #expect(removal == [.deleted(key("b")), Self.allKinds])
        await recorder.stop()
    }

    @Test("a syntax error keeps the file's objects and rejects; fixing it upserts again", arguments: [true, false])
    func syntaxErrorKeepsObjects(inotify: Bool) async throws {
        let folder = try TemporaryFolder()
        try folder.write("app.yaml", Manifests.service("a") + "\n---\n" + Manifests.service("b"))
        try folder.write("other.yaml", Manifests.service("c"))
        let recorder = EventRecorder(try source(folder, inotify: inotify))
        _ = try await recorder.batch(1)

        try folder.write("app.yaml", "apiVersion: v1\nkind: [Service\n")
        try folder.remove("other.yaml")
        let broken = try await recorder.batch(2)
        #expect(broken.count == 3)
        #expect(broken.first == .deleted(key("c")))
        guard case .rejected(nil, let error) = broken[1] else {
            Issue.record("expected a rejection without key, got \(broken)")
            return
        }
        guard case .file(let path, _) = error.origin else {
            Issue.record("no file origin: \(error)")
            return
        }
        #expect(path == folder.path("app.yaml"))

        try folder.write("app.yaml", Manifests.service("a", port: "81") + "\n---\n" + Manifests.service("b"))
        let fixed = try await recorder.batch(3)
        // b is unchanged from the kept version, so only a is sent.
        guard case .upserted(let resource) = fixed.first else {
            Issue.record("expected an upsert, got \(fixed)")
            return
        }
        #expect(resource.key == key("a"))
        #expect(fixed.count == 2)
        await recorder.stop()
    }

    @Test("a document that stops decoding but still names its object is rejected, not deleted")
    func decodeErrorKeepsObject() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        let recorder = EventRecorder(try source(folder))
        _ = try await recorder.batch(1)

        try folder.write("a.yaml", Manifests.service("a", port: "http"))
        let batch = try await recorder.batch(2)
        #expect(batch.count == 2)
        guard case .rejected(let rejected, _) = batch.first else {
            Issue.record("expected a rejection, got \(batch)")
            return
        }
        #expect(rejected == key("a"))

        try folder.remove("a.yaml")
        let removal = try await recorder.batch(3)
        #expect(removal == [.deleted(key("a")), Self.allKinds])
        await recorder.stop()
    }

    @Test("duplicate keys: the first file in path order keeps winning while single files are re-read")
    func duplicateWinnerAcrossReloads() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("web", port: "80"))
        try folder.write("b.yaml", Manifests.service("web", port: "81"))
        let recorder = EventRecorder(try source(folder))
        let initial = try await recorder.batch(1)
        #expect(initial.count == 3)
        guard case .upserted(let first) = initial.first else {
            Issue.record("expected an upsert, got \(initial)")
            return
        }
        #expect(first.origin == .file(path: folder.path("a.yaml"), line: 1))

        // The loser changes, then the winner: the winner's new version is what is sent.
        try folder.write("b.yaml", Manifests.service("web", port: "82"))
        // Waiting for something not to happen needs a bound: five polls see the loser's edit,
        // which changes nothing the reconciler has (the same problem, already reported).
        try await Task.sleep(for: .milliseconds(100))
        #expect(recorder.batches.count == 1)
        try folder.write("a.yaml", Manifests.service("web", port: "90"))
        let edited = try await recorder.batch(2)
        guard case .upserted(let winner) = edited.first, case .service(let service) = winner.resource else {
            Issue.record("expected an upserted service, got \(edited)")
            return
        }
        #expect(winner.origin == .file(path: folder.path("a.yaml"), line: 1))
        #expect(service.spec?.ports?.first?.port == 90)

        try folder.remove("a.yaml")
        let handedOver = try await recorder.batch(3)
        guard case .upserted(let heir) = handedOver.first, case .service(let heirService) = heir.resource else {
            Issue.record("expected an upserted service, got \(handedOver)")
            return
        }
        #expect(heir.origin == .file(path: folder.path("b.yaml"), line: 1))
        #expect(heirService.spec?.ports?.first?.port == 82)
        #expect(handedOver.count == 2)
        await recorder.stop()
    }

    @Test("an editor's atomic save (temporary file renamed over the old one) is seen", arguments: [true, false])
    func atomicSave(inotify: Bool) async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        let recorder = EventRecorder(try source(folder, inotify: inotify))
        _ = try await recorder.batch(1)

        // The same size as before, so only the inode tells the change.
        try folder.atomicSave("a.yaml", Manifests.service("a", port: "90"))
        let batch = try await recorder.batch(2)
        guard case .upserted(let resource) = batch.first, case .service(let service) = resource.resource else {
            Issue.record("expected an upserted service, got \(batch)")
            return
        }
        #expect(service.spec?.ports?.first?.port == 90)
        await recorder.stop()
    }

    @Test("a file rewritten continuously is read, and ends with its last content", arguments: [true, false])
    func continuousRewrites(inotify: Bool) async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a", port: "1000"))
        let recorder = EventRecorder(try source(folder, inotify: inotify))
        _ = try await recorder.batch(1)

        // Faster than the settle interval, for ten of them: settling waits (up to its cap)
        // and whatever batches come, the last one carries the last write.
        for port in 1001...1020 {
            try folder.write("a.yaml", Manifests.service("a", port: "\(port)"))
            try await Task.sleep(for: .milliseconds(10))
        }
        func lastPort() -> Int? {
            recorder.batches.dropFirst().flatMap { $0 }.compactMap { event -> Int? in
                guard case .upserted(let resource) = event, case .service(let service) = resource.resource else { return nil }
                return service.spec?.ports?.first?.port
            }.last
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while lastPort() != 1020, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(lastPort() == 1020)
        await recorder.stop()
    }

    @Test("a wake-up signal can be asked for without waiting, and asking forgets it")
    func wakeupSignalConsume() async {
        let signal = WakeupSignal()
        #expect(!signal.consume())
        signal.signal()
        signal.signal()
        #expect(signal.consume())
        #expect(!signal.consume())
        signal.signal()
        await signal.wait()
        #expect(!signal.consume())
    }

    @Test("new files in new subfolders are seen", arguments: [true, false])
    func newSubfolder(inotify: Bool) async throws {
        let folder = try TemporaryFolder()
        let recorder = EventRecorder(try source(folder, inotify: inotify))
        let initial = try await recorder.batch(1)
        #expect(initial == [Self.allKinds])

        try folder.write("team/shop/web.yaml", Manifests.service("web"))
        let batch = try await recorder.batch(2)
        guard case .upserted(let resource) = batch.first else {
            Issue.record("expected an upsert, got \(batch)")
            return
        }
        #expect(resource.origin == .file(path: folder.path("team/shop/web.yaml"), line: 1))
        await recorder.stop()
    }

    @Test("a touch that changes nothing sends no batch; the next real change is the next batch")
    func touchSendsNothing() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        let recorder = EventRecorder(try source(folder))
        _ = try await recorder.batch(1)

        try folder.atomicSave("a.yaml", Manifests.service("a"))
        // Waiting for something not to happen needs a bound: ten polls see the touch.
        try await Task.sleep(for: .milliseconds(200))
        #expect(recorder.batches.count == 1)
        try folder.write("b.yaml", Manifests.service("b"))
        let batch = try await recorder.batch(2)
        guard case .upserted(let resource) = batch.first else {
            Issue.record("expected an upsert, got \(batch)")
            return
        }
        #expect(resource.key == key("b"))
        #expect(batch.count == 2)
        await recorder.stop()
    }

    @Test("removing a subfolder deletes its objects")
    func removeSubfolder() async throws {
        let folder = try TemporaryFolder()
        try folder.write("team/a.yaml", Manifests.service("a"))
        try folder.write("team/deeper/b.yaml", Manifests.service("b"))
        try folder.write("c.yaml", Manifests.service("c"))
        let recorder = EventRecorder(try source(folder))
        _ = try await recorder.batch(1)

        try folder.remove("team")
        let batch = try await recorder.batch(2)
        #expect(batch == [.deleted(key("a")), .deleted(key("b")), Self.allKinds])
        await recorder.stop()
    }

    @Test("when the folder itself vanishes, its objects are kept and the problem reported once")
    func folderVanishes() async throws {
        let parent = try TemporaryFolder()
        try parent.write("manifests/a.yaml", Manifests.service("a"))
        let recorder = EventRecorder(
            try ManifestSource(folder: parent.path("manifests"), pollInterval: .milliseconds(20), settleInterval: .milliseconds(20)))
        _ = try await recorder.batch(1)

        try parent.remove("manifests")
        let gone = try await recorder.batch(2)
        #expect(
            gone == [
                .rejected(
                    nil,
                    SourceError(
                        origin: .file(path: parent.path("manifests"), line: 1),
                        message: "manifest folder \(parent.path("manifests")) does not exist")),
                Self.allKinds,
            ])

        try parent.write("manifests/a.yaml", Manifests.service("a", port: "81"))
        let back = try await recorder.batch(3)
        guard case .upserted(let resource) = back.first else {
            Issue.record("expected an upsert, got \(back)")
            return
        }
        #expect(resource.key == key("a"))
        #expect(back.count == 2)
        await recorder.stop()
    }

    #if os(Linux)
    @Test("with inotify, a change is read long before the next poll")
    func inotifyTriggersRead() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        let recorder = EventRecorder(
            try ManifestSource(folder: folder.path, pollInterval: .seconds(3600), settleInterval: .milliseconds(20)))
        _ = try await recorder.batch(1)

        try folder.write("new/deeper/b.yaml", Manifests.service("b"))
        let added = try await recorder.batch(2)
        guard case .upserted(let resource) = added.first else {
            Issue.record("expected an upsert, got \(added)")
            return
        }
        #expect(resource.key == key("b"))

        // The subfolders created above are watched too.
        try folder.write("new/deeper/b.yaml", Manifests.service("b", port: "82"))
        let edited = try await recorder.batch(3)
        #expect(edited.count == 2)
        await recorder.stop()
    }
    #endif

    @Test("cancelling the consuming task ends the sequence")
    func cancellation() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        let recorder = EventRecorder(try ManifestSource(folder: folder.path, pollInterval: .seconds(60)))
        _ = try await recorder.batch(1)
        #expect(!recorder.hasEnded)
        await recorder.stop()
        #expect(recorder.hasEnded)
    }

    @Test("an actor can consume the source (the reconciler does)")
    func actorConsumer() async throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        let consumer = ActorConsumer()
        await consumer.consumeFirstBatch(of: try ManifestSource(folder: folder.path))
        let received = await consumer.received
        #expect(received.count == 2)
        #expect(received.last == Self.allKinds)
    }

    #if os(Linux)
    /// Checks the hint itself rather than counting the process's inotify descriptors, which
    /// other suites running in parallel open and close too.
    @Test("the inotify thread ends and closes its descriptors when the hint is released")
    func noLeakedWatcher() async throws {
        var hint = InotifyHint()
        let ended = try #require(hint?.ended)
        #expect(!ended.isEnded)
        hint = nil
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(5))
        while !ended.isEnded && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(ended.isEnded)
        _ = hint
    }
    #endif

    @Test("a folder whose snapshot is slow is polled less often, never more often than asked")
    func pollDelay() {
        #expect(ManifestSource.pollDelay(interval: .milliseconds(250), snapshotCost: .microseconds(300)) == .milliseconds(250))
        #expect(ManifestSource.pollDelay(interval: .milliseconds(250), snapshotCost: .milliseconds(40)) == .milliseconds(800))
        #expect(ManifestSource.pollDelay(interval: .seconds(2), snapshotCost: .milliseconds(40)) == .seconds(2))
    }

    @Test("a missing folder fails at construction, naming it")
    func missingFolder() throws {
        #expect(throws: ManifestFolderError.missing(path: "/nonexistent/portico/manifests")) {
            try ManifestSource(folder: "/nonexistent/portico/manifests")
        }
    }
}

/// The reconciler consumes sources from an actor; iterating from one must compile cleanly under
/// strict concurrency and behave the same.
private actor ActorConsumer {
    var received: [ResourceEvent] = []

    func consumeFirstBatch(of source: ManifestSource) async {
        for await event in source {
            received.append(event)
            if case .synced = event { return }
        }
    }
}
