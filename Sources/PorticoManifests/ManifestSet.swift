public import PorticoModel

/// Everything one read of a manifest folder produced: the objects, the problems, and what was
/// skipped. A value, so that a watcher can diff two reads and a test can compare whole results.
public struct ManifestSet: Hashable, Sendable {
    /// The objects that decoded, by key. When two documents name the same key, the first in path
    /// order is here and the second is a problem.
    public var resources: [ObjectKey: SourcedResource]
    /// Documents and files that could not be used: subfolders that could not be listed first,
    /// then each file's problems in path and line order.
    public var problems: [ManifestProblem]
    /// Paths (files, or folders that could not be listed) that were not read to the end, because
    /// they could not be read or are not valid YAML. What they held before is unknown rather than
    /// gone, so a watcher keeps the objects they last yielded instead of deleting them.
    public var unreadablePaths: Set<String>
    /// Documents of kinds Portico does not read (Deployment, Namespace, ...), skipped on purpose
    /// because a manifest folder usually holds a whole application.
    public var ignoredDocuments: Int

    public init(
        resources: [ObjectKey: SourcedResource] = [:],
        problems: [ManifestProblem] = [],
        unreadablePaths: Set<String> = [],
        ignoredDocuments: Int = 0
    ) {
        self.resources = resources
        self.problems = problems
        self.unreadablePaths = unreadablePaths
        self.ignoredDocuments = ignoredDocuments
    }
}

/// One unusable document or file. `key` is set when the document still names its object
/// (readable `kind` and `metadata.name`), so that the reconciler can keep that object's last
/// good version serving instead of dropping it.
public struct ManifestProblem: Hashable, Sendable, CustomStringConvertible {
    public var key: ObjectKey?
    public var error: SourceError

    public init(key: ObjectKey?, error: SourceError) {
        self.key = key
        self.error = error
    }

    public var description: String {
        guard let key else { return error.description }
        return "\(error) (\(key))"
    }
}
