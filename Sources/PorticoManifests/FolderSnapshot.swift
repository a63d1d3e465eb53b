/// What a watcher compares between two polls: the folder's listing with each manifest file's
/// stamp. An edit changes size or mtime; an editor's atomic save (write a temporary file, rename
/// it over the old one) changes the inode; an added or removed file, in any subfolder, changes
/// the file list. The snapshot a read starts from is also what it reads, so a change during the
/// read differs from it and is seen by the next poll.
struct FolderSnapshot: Equatable, Sendable {
    var listing: ManifestFolder.Listing
    /// Set when the folder itself cannot be read, so that its recovery also counts as a change.
    var folderError: ManifestFolderError?

    var stamps: [String: FileStamp] { listing.stamps }
    /// Every folder read, so that a new one is watched even before it holds a manifest.
    var folders: [String] { listing.folders }

    /// Takes a snapshot. Files that vanish between listing and `stat` are simply absent.
    static func take(of folder: ManifestFolder) -> FolderSnapshot {
        do {
            return FolderSnapshot(listing: try folder.list(), folderError: nil)
        } catch {
            return FolderSnapshot(listing: ManifestFolder.Listing(), folderError: error)
        }
    }
}
