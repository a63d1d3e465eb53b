#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a watcher compares between two polls: each manifest file's identity, size and change
/// times. An edit changes size or mtime; an editor's atomic save (write a temporary file, rename
/// it over the old one) changes the inode; an added or removed file changes the key set.
struct FolderSnapshot: Equatable, Sendable {
    struct Stamp: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
        var changedSeconds: Int64
        var changedNanoseconds: Int64
    }

    var stamps: [String: Stamp]
    var unlistable: [String]
    /// Set when the folder itself cannot be read, so that its recovery also counts as a change.
    var folderError: ManifestFolderError?

    /// Takes a snapshot. Files that vanish between listing and `stat` are simply absent.
    static func take(of folder: ManifestFolder) -> FolderSnapshot {
        let listing: ManifestFolder.Listing
        do {
            listing = try folder.list()
        } catch {
            return FolderSnapshot(stamps: [:], unlistable: [], folderError: error)
        }
        var stamps: [String: Stamp] = [:]
        for path in listing.files {
            if let stamp = stamp(of: path) { stamps[path] = stamp }
        }
        return FolderSnapshot(stamps: stamps, unlistable: listing.unlistable.map(\.path), folderError: nil)
    }

    /// `stat` (following symlinks, as the loader reads through them).
    private static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        let changed = info.st_ctimespec
        #else
        let modified = info.st_mtim
        let changed = info.st_ctim
        #endif
        return Stamp(
            device: UInt64(truncatingIfNeeded: info.st_dev),
            inode: UInt64(truncatingIfNeeded: info.st_ino),
            size: Int64(truncatingIfNeeded: info.st_size),
            modifiedSeconds: Int64(truncatingIfNeeded: modified.tv_sec),
            modifiedNanoseconds: Int64(truncatingIfNeeded: modified.tv_nsec),
            changedSeconds: Int64(truncatingIfNeeded: changed.tv_sec),
            changedNanoseconds: Int64(truncatingIfNeeded: changed.tv_nsec)
        )
    }
}
