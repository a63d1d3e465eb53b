import PorticoModel

/// Each manifest file's last read, keyed by path and stamp, so that after a change only the
/// files whose stamp changed are read again. With 10,000 files, one edited file is one file
/// read instead of 10,000. Duplicate keys are still decided over the whole folder in path
/// order (`ManifestSetBuilder`), so the winner does not depend on which files were re-read.
///
/// A result whose bytes could not be had is not kept: it is retried on the next read even if
/// the stamp stays the same. The cache holds what the folder holds now; removed files drop out.
///
/// When the change is plain (the changed files decode cleanly before and after, and none of
/// their objects is named by another document), the last set is patched rather than built
/// again from 10,000 results, and `lastChangedKeys` tells the diff which objects to look at.
/// Anything else (problems, unreadable files or folders, duplicates) takes the full build,
/// which decides those over the whole folder.
struct ManifestReadCache: Sendable {
    private struct Entry: Sendable {
        var stamp: FileStamp
        var result: ManifestFileResult
    }

    /// A patch costs per changed file what a full build costs per file; past this many changed
    /// files, building is as cheap and simpler.
    private static let maximumPatchedFiles = 64

    private var entries: [String: Entry] = [:]
    /// How many files the last `read` actually read; for tests and logs.
    private(set) var lastFilesRead = 0
    /// The keys whose objects may differ from the read before, when the last read patched the
    /// set; nil when it built the set whole (any object may differ).
    private(set) var lastChangedKeys: Set<ObjectKey>?
    /// The last set, for the next read to patch; nil when it was built with folders that
    /// could not be listed (whose problems only a full build places).
    private var last: ManifestSet?
    /// How many documents name each key across the folder: two or more is a duplicate.
    private var keyCounts: [ObjectKey: Int] = [:]

    /// The set for `listing`, reading only files that are new or whose stamp changed.
    mutating func read(_ listing: ManifestFolder.Listing) -> ManifestSet {
        var next: [String: Entry] = [:]
        next.reserveCapacity(listing.files.count)
        var stale: [String] = []
        var known = 0
        for path in listing.files {
            let entry = entries[path]
            if entry != nil { known += 1 }
            if let stamp = listing.stamps[path], let entry, entry.stamp == stamp {
                next[path] = entry
            } else {
                stale.append(path)
            }
        }
        let results = ManifestFileReader.read(stale)
        var fresh: [String: ManifestFileResult] = [:]
        for (path, result) in zip(stale, results) {
            fresh[path] = result
            if !result.isReadFailure, let stamp = listing.stamps[path] { next[path] = Entry(stamp: stamp, result: result) }
        }
        // What each changed file held before and holds now (nil: absent then or now).
        var changes: [(old: ManifestFileResult?, new: ManifestFileResult?)] = stale.map { (entries[$0]?.result, fresh[$0]) }
        if known < entries.count {
            // Some files are gone.
            for (path, entry) in entries where next[path] == nil && fresh[path] == nil {
                changes.append((entry.result, nil))
            }
        }
        let previous = entries
        entries = next
        lastFilesRead = stale.count

        if let patched = patch(changes, listing: listing) { return patched }
        var builder = ManifestSetBuilder(unlistable: listing.unlistable)
        keyCounts = [:]
        for path in listing.files {
            guard let result = fresh[path] ?? previous[path]?.result else { continue }
            builder.add(result, path: path)
            for case .resource(let resource) in result.items { keyCounts[resource.key, default: 0] += 1 }
        }
        last = listing.unlistable.isEmpty ? builder.set : nil
        lastChangedKeys = nil
        return builder.set
    }

    /// The last set with `changes` applied, or nil when only a full build can decide the result.
    private mutating func patch(
        _ changes: [(old: ManifestFileResult?, new: ManifestFileResult?)], listing: ManifestFolder.Listing
    ) -> ManifestSet? {
        guard var set = last, listing.unlistable.isEmpty, set.unreadablePaths.isEmpty, changes.count <= Self.maximumPatchedFiles
        else { return nil }
        var counts = keyCounts
        var changed: Set<ObjectKey> = []
        for change in changes {
            for result in [change.old, change.new].compactMap({ $0 }) {
                guard !result.isUnreadable, !result.isReadFailure else { return nil }
                for item in result.items {
                    guard case .resource(let resource) = item else { return nil }
                    changed.insert(resource.key)
                }
            }
            for case .resource(let resource) in change.old?.items ?? [] { counts[resource.key, default: 0] -= 1 }
            for case .resource(let resource) in change.new?.items ?? [] { counts[resource.key, default: 0] += 1 }
            set.ignoredDocuments += (change.new?.ignoredDocuments ?? 0) - (change.old?.ignoredDocuments ?? 0)
        }
        // A key named twice, before or after, is a duplicate only the full build can decide.
        for key in changed where (counts[key] ?? 0) > 1 || (keyCounts[key] ?? 0) > 1 { return nil }
        for change in changes {
            for case .resource(let resource) in change.old?.items ?? [] { set.resources.removeValue(forKey: resource.key) }
        }
        for change in changes {
            for case .resource(let resource) in change.new?.items ?? [] { set.resources[resource.key] = resource }
        }
        for key in changed where counts[key] == 0 { counts.removeValue(forKey: key) }
        keyCounts = counts
        last = set
        lastChangedKeys = changed
        return set
    }
}
