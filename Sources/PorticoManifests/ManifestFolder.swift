import Foundation
import PorticoModel

/// The manifest files of a folder: listing, in a deterministic order, and the stamps that tell a
/// watcher whether anything changed.
///
/// Hidden entries (names starting with ".") are skipped at every level. That also skips the
/// `..data` and `..2024_...` entries of a mounted ConfigMap, whose visible files are symlinks into
/// them; symlinks are followed, to a bounded depth so that a symlink loop cannot recurse forever.
struct ManifestFolder: Sendable {
    private struct FolderIdentity: Hashable {
        var device: UInt64
        var inode: UInt64

        init(_ stamp: FileStamp) {
            device = stamp.device
            inode = stamp.inode
        }
    }

    /// The folder as given, without a trailing slash, so that joined paths read as a person typed them.
    let path: String

    /// Folder nesting deeper than this is not read (and reported), which bounds symlink loops.
    static let maximumDepth = 32

    static let extensions: Set<String> = ["yaml", "yml", "json"]

    init(path: String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.path = trimmed
    }

    /// A subfolder that could not be listed, and why.
    struct Unlistable: Equatable, Sendable {
        var path: String
        var reason: String
    }

    /// The result of listing: manifest file paths in sorted order with the stamp each had when
    /// listed, and the subfolders that could not be listed.
    struct Listing: Equatable, Sendable {
        var files: [String] = []
        /// Each listed file's `stat` from the listing, so that nobody needs to `stat` it again.
        var stamps: [String: FileStamp] = [:]
        /// The folder and every subfolder read, for a change notifier to watch.
        var folders: [String] = []
        var unlistable: [Unlistable] = []
    }

    /// Lists every manifest file below the folder. Throws only when the folder itself cannot be
    /// read; an unreadable subfolder is listed in `unlistable`.
    func list() throws(ManifestFolderError) -> Listing {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missing(path: path)
        }
        guard isDirectory.boolValue else { throw .notAFolder(path: path) }
        let topEntries: [String]
        do {
            topEntries = try fileManager.contentsOfDirectory(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: Self.reason(for: path, error))
        }
        var relativeFiles: [String] = []
        var stamps: [String: FileStamp] = [:]
        stamps.reserveCapacity(topEntries.count)
        var folders = [path]
        // A folder reached twice (a symlink loop, or a link to a sibling) is read once, so its
        // files do not come back as duplicates of themselves.
        var visited: Set<FolderIdentity> = []
        if let stamp = FileStamp(path: path) { visited.insert(FolderIdentity(stamp)) }
        var unlistable: [Unlistable] = []
        var pending: [(relative: String, entries: [String], depth: Int)] = [("", topEntries, 0)]
        while let folder = pending.popLast() {
            for name in folder.entries where !name.hasPrefix(".") {
                let relative = folder.relative.isEmpty ? name : folder.relative + "/" + name
                let full = join(relative)
                guard let stamp = FileStamp(path: full) else {
                    continue  // a dangling symlink, or removed while listing
                }
                if stamp.type == .folder {
                    guard visited.insert(FolderIdentity(stamp)).inserted else { continue }
                    guard folder.depth + 1 < Self.maximumDepth else {
                        unlistable.append(Unlistable(path: full, reason: "nested deeper than \(Self.maximumDepth) folders (a symlink loop?)"))
                        continue
                    }
                    do {
                        let entries = try fileManager.contentsOfDirectory(atPath: full)
                        pending.append((relative, entries, folder.depth + 1))
                        folders.append(full)
                    } catch {
                        unlistable.append(Unlistable(path: full, reason: Self.reason(for: full, error)))
                    }
                } else if stamp.type == .file, let dot = name.lastIndex(of: "."),
                    Self.extensions.contains(name[name.index(after: dot)...].lowercased())
                {
                    relativeFiles.append(relative)
                    stamps[full] = stamp
                }
            }
        }
        return Listing(
            files: relativeFiles.sorted().map(join),
            stamps: stamps,
            folders: folders.sorted(),
            unlistable: unlistable.sorted { $0.path < $1.path }
        )
    }

    /// The folder path joined with a path relative to it.
    func join(_ relative: String) -> String {
        path == "/" ? "/" + relative : path + "/" + relative
    }

    static func reason(for path: String, _ error: any Error) -> String {
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "\(error.localizedDescription)"
    }
}
