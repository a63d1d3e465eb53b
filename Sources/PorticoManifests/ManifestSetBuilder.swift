import PorticoModel

/// Joins per-file results into one `ManifestSet`, in path order, which is where duplicate keys
/// are decided: the first document with a key wins, the later ones become problems naming the
/// winner. Re-running it over cached results gives the same winner as a full read would.
struct ManifestSetBuilder {
    private(set) var set = ManifestSet()

    /// Starts with the subfolders that could not be listed, whose problems come first.
    init(unlistable: [ManifestFolder.Unlistable]) {
        for entry in unlistable {
            set.problems.append(
                ManifestProblem(key: nil, error: SourceError(origin: .file(path: entry.path, line: 1), message: "cannot list folder: \(entry.reason)")))
            set.unreadablePaths.insert(entry.path)
        }
    }

    /// Adds one file's result; files must come in path order.
    mutating func add(_ result: ManifestFileResult, path: String) {
        set.ignoredDocuments += result.ignoredDocuments
        if result.isUnreadable { set.unreadablePaths.insert(path) }
        for item in result.items {
            switch item {
            case .problem(let problem):
                set.problems.append(problem)
            case .resource(let resource):
                if let first = set.resources[resource.key] {
                    set.problems.append(
                        ManifestProblem(
                            key: resource.key,
                            error: SourceError(
                                origin: resource.origin, field: "metadata.name",
                                message: "duplicate \(resource.key): \(first.origin) defines it first and wins")))
                } else {
                    set.resources[resource.key] = resource
                }
            }
        }
    }
}
