/// Each manifest file's last read, keyed by path and stamp, so that after a change only the
/// files whose stamp changed are read again. With 10,000 files, one edited file is one file
/// read instead of 10,000. Duplicate keys are still decided over the whole folder in path
/// order (`ManifestSetBuilder`), so the winner does not depend on which files were re-read.
///
/// A result whose bytes could not be had is not kept: it is retried on the next read even if
/// the stamp stays the same. The cache holds what the folder holds now; removed files drop out.
struct ManifestReadCache: Sendable {
    private struct Entry: Sendable {
        var stamp: FileStamp
        var result: ManifestFileResult
    }

    private var entries: [String: Entry] = [:]
    /// How many files the last `read` actually read; for tests and logs.
    private(set) var lastFilesRead = 0

    /// The set for `listing`, reading only files that are new or whose stamp changed.
    mutating func read(_ listing: ManifestFolder.Listing) -> ManifestSet {
        var next: [String: Entry] = [:]
        next.reserveCapacity(listing.files.count)
        var stale: [String] = []
        for path in listing.files {
            if let stamp = listing.stamps[path], let entry = entries[path], entry.stamp == stamp {
                next[path] = entry
            } else {
                stale.append(path)
            }
        }
        let results = ManifestFileReader.read(stale)
        for (path, result) in zip(stale, results) where !result.isReadFailure {
            if let stamp = listing.stamps[path] { next[path] = Entry(stamp: stamp, result: result) }
        }
        var fresh: [String: ManifestFileResult] = [:]
        for (path, result) in zip(stale, results) { fresh[path] = result }
        var builder = ManifestSetBuilder(unlistable: listing.unlistable)
        for path in listing.files {
            if let result = fresh[path] ?? next[path]?.result { builder.add(result, path: path) }
        }
        entries = next
        lastFilesRead = stale.count
        return builder.set
    }
}
