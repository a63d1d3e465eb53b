/// What a watcher compares between two polls: each manifest file's stamp. An edit changes size
/// or mtime; an editor's atomic save (write a temporary file, rename it over the old one) changes
/// the inode; an added or removed file, in any subfolder, changes the key set.
struct FolderSnapshot: Equatable, Sendable {
    var stamps: [String: FileStamp]
    /// Every folder read, so that a new one is watched even before it holds a manifest.
    var folders: [String]
    var unlistable: [String]
    /// Set when the folder itself cannot be read, so that its recovery also counts as a change.
    var folderError: ManifestFolderError?

    /// Takes a snapshot. Files that vanish between listing and `stat` are simply absent.
    static func take(of folder: ManifestFolder) -> FolderSnapshot {
        let listing: ManifestFolder.Listing
        do {
            listing = try folder.list()
        } catch {
            return FolderSnapshot(stamps: [:], folders: [], unlistable: [], folderError: error)
        }
        var stamps: [String: FileStamp] = [:]
        for path in listing.files {
            if let stamp = FileStamp(path: path) { stamps[path] = stamp }
        }
        return FolderSnapshot(stamps: stamps, folders: listing.folders, unlistable: listing.unlistable.map(\.path), folderError: nil)
    }
}
