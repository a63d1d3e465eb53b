import PorticoModel

/// What reading one manifest file produced, in document order, before it meets the other files.
/// Duplicate keys across documents are not decided here: which document wins depends on every
/// file before it in path order, so `ManifestSetBuilder` decides that over the whole folder.
struct ManifestFileResult: Hashable, Sendable {
    /// One document's (or List item's) outcome, in file order.
    enum Item: Hashable, Sendable {
        case resource(SourcedResource)
        case problem(ManifestProblem)
    }

    var items: [Item] = []
    var ignoredDocuments = 0
    /// Whether the file was not read to the end (cannot be read, not UTF-8, invalid YAML), so
    /// that a watcher keeps what it yielded before.
    var isUnreadable = false
    /// Whether the bytes themselves could not be had. Such a result is not cached: the failure
    /// may be passing (the file vanished mid-read) without its stamp changing.
    var isReadFailure = false
}
