import Foundation
@testable import PorticoManifests
import PorticoModel
import PorticoTestSupport
import Testing

@Suite("ManifestReadCache")
struct ManifestReadCacheTests {
    func key(_ name: String) -> ObjectKey {
        ObjectKey(kind: .service, namespace: "default", name: name)
    }

    func read(_ cache: inout ManifestReadCache, _ folder: TemporaryFolder) throws -> ManifestSet {
        cache.read(try ManifestFolder(path: folder.path).list())
    }

    @Test("after a change only the changed file is read, and the set equals a full read")
    func readsOnlyChangedFiles() throws {
        let folder = try TemporaryFolder()
        for name in ["a", "b", "c", "d"] { try folder.write("\(name).yaml", Manifests.service(name)) }
        var cache = ManifestReadCache()
        _ = try read(&cache, folder)
        #expect(cache.lastFilesRead == 4)

        _ = try read(&cache, folder)
        #expect(cache.lastFilesRead == 0)

        try folder.write("b.yaml", Manifests.service("b", port: "8080"))
        var set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 1)
        #expect(set == (try ManifestLoader(folder: folder.path).load()))
        guard case .service(let service)? = set.resources[key("b")]?.resource else {
            Issue.record("no service b: \(set)")
            return
        }
        #expect(service.spec?.ports?.first?.port == 8080)

        try folder.atomicSave("c.yaml", Manifests.service("c", port: "81"))
        try folder.remove("d.yaml")
        try folder.write("e.yaml", Manifests.service("e"))
        set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 2)
        #expect(Set(set.resources.keys) == [key("a"), key("b"), key("c"), key("e")])
        #expect(set == (try ManifestLoader(folder: folder.path).load()))
    }

    @Test("a file with a syntax error is cached as such and read again once it changes")
    func syntaxErrorCached() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        try folder.write("b.yaml", "kind: [Service\n")
        var cache = ManifestReadCache()
        var set = try read(&cache, folder)
        #expect(set.unreadablePaths == [folder.path("b.yaml")])
        set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 0)
        #expect(set.unreadablePaths == [folder.path("b.yaml")])
        #expect(set.problems.count == 1)

        try folder.write("b.yaml", Manifests.service("b"))
        set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 1)
        #expect(set.unreadablePaths.isEmpty)
        #expect(set.resources.count == 2)
    }

    @Test("the duplicate winner is the first file in path order however few files are re-read")
    func duplicateWinnerStable() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("web", port: "80"))
        try folder.write("b.yaml", Manifests.service("web", port: "81"))
        var cache = ManifestReadCache()
        var set = try read(&cache, folder)
        #expect(set.resources[key("web")]?.origin == .file(path: folder.path("a.yaml"), line: 1))

        // Only the loser is re-read: the winner is still a.yaml, from the cache.
        try folder.write("b.yaml", Manifests.service("web", port: "82"))
        set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 1)
        #expect(set.resources[key("web")]?.origin == .file(path: folder.path("a.yaml"), line: 1))
        #expect(set.problems.map(\.error.origin) == [.file(path: folder.path("b.yaml"), line: 1)])

        // A new file earlier in path order wins over both.
        try folder.write("0.yaml", Manifests.service("web", port: "79"))
        set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 1)
        #expect(set.resources[key("web")]?.origin == .file(path: folder.path("0.yaml"), line: 1))
        #expect(set.problems.count == 2)

        // Removing the winners hands the key to the next file in path order.
        try folder.remove("0.yaml")
        try folder.remove("a.yaml")
        set = try read(&cache, folder)
        #expect(cache.lastFilesRead == 0)
        #expect(set.resources[key("web")]?.origin == .file(path: folder.path("b.yaml"), line: 1))
        #expect(set.problems == [])
        #expect(set == (try ManifestLoader(folder: folder.path).load()))
    }

    /// Random edits of every kind the patch path must hand back to the full build (duplicates,
    /// syntax errors, documents that fail, removed files) among plain ones it patches. After
    /// each, the cache's set equals a full load, and a diff fed the patched sets with their
    /// changed keys sends what a diff fed full sets sends.
    @Test("a patched set and its diff equal a full read and a full diff", arguments: [UInt64(1), 2, 3])
    func patchedEqualsFull(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        var rng = SplitMix64(seed: seed)
        for index in 0..<8 { try folder.write("f\(index).yaml", Manifests.service("s\(index)")) }
        var cache = ManifestReadCache()
        var incremental = ManifestDiff()
        var full = ManifestDiff()
        var patched = 0
        var broken: [String] = []
        for step in 0..<80 {
            let index = Int.random(in: 0..<10, using: &rng)
            let file = "f\(index).yaml"
            // Broken files are mended sooner or later, so that plain edits (the ones a patch
            // can take) are common between them.
            if let mended = broken.first, Bool.random(using: &rng) {
                broken.removeFirst()
                try folder.write(mended, Manifests.service("s\(mended.dropFirst().prefix { $0 != "." })"))
            } else {
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: try? folder.remove(file)
                case 1:
                    try folder.write(file, "kind: [Service\n")
                    broken.append(file)
                case 2:
                    try folder.write(file, "apiVersion: v1\nkind: Service\nmetadata: {name: 7}\nspec: []\n")
                    broken.append(file)
                case 3:
                    try folder.write(file, Manifests.service("s\(index)") + "---\n" + Manifests.service("s\(step % 3)", port: "81"))
                    broken.append(file)
                case 4:
                    // The object moves to another file, under another name or the same.
                    try? folder.remove(file)
                    try folder.write("g\(index).yaml", Manifests.service("s\(index)", port: "\(9000 + step)"))
                default:
                    try folder.atomicSave(file, Manifests.service("s\(index)", port: "\(8000 + step)"))
                }
            }
            let set = try read(&cache, folder)
            if cache.lastChangedKeys != nil { patched += 1 }
            #expect(set == (try ManifestLoader(folder: folder.path).load()), "seed \(seed) step \(step)")
            let events = incremental.apply(set, changedKeys: cache.lastChangedKeys)
            #expect(events.map(Self.summary) == full.apply(set).map(Self.summary), "seed \(seed) step \(step)")
            #expect(incremental.resources == full.resources, "seed \(seed) step \(step)")
        }
        #expect(patched > 5, "the patch path was taken \(patched) times")
    }

    static func summary(_ event: ResourceEvent) -> String {
        switch event {
        case .upserted(let object): "upsert \(object.key) from \(object.origin): \(object.resource)"
        case .deleted(let key): "delete \(key)"
        case .rejected(let key, let error): "reject \(key.map(\.description) ?? "-"): \(error)"
        case .synced(let kinds): "synced \(kinds.sorted())"
        }
    }
}
