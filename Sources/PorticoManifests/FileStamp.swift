#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One path's `stat`, following symlinks as the loader reads through them: what the path is,
/// and the identity, size and times that change when its content does.
struct FileStamp: Equatable, Sendable {
    /// What a path is, as far as reading manifests goes.
    enum EntryType: Equatable, Sendable {
        case folder
        case file
        /// A FIFO, socket or device: never read, since reading a FIFO could block forever.
        case other
    }

    var type: EntryType
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64
    var changedSeconds: Int64
    var changedNanoseconds: Int64

    /// Nil when the path does not exist (or is a dangling symlink) or cannot be examined.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: type = .folder
        case S_IFREG: type = .file
        default: type = .other
        }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        let changed = info.st_ctimespec
        #else
        let modified = info.st_mtim
        let changed = info.st_ctim
        #endif
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
        size = Int64(truncatingIfNeeded: info.st_size)
        modifiedSeconds = Int64(truncatingIfNeeded: modified.tv_sec)
        modifiedNanoseconds = Int64(truncatingIfNeeded: modified.tv_nsec)
        changedSeconds = Int64(truncatingIfNeeded: changed.tv_sec)
        changedNanoseconds = Int64(truncatingIfNeeded: changed.tv_nsec)
    }
}
