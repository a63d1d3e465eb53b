/// The identity of a namespaced Kubernetes object, printed as `namespace/name` the way kubectl
/// and every controller log print it, so diagnostics read the same everywhere.
///
/// Stores, snapshots, diffs and translation memos key tens of thousands of objects by it (inside
/// `ObjectKey`), so its two strings are hashed once, when it is made, and hashing it again
/// feeds one integer.
public struct NamespacedName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let namespace: String
    public let name: String
    private let namesHash: Int

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
        var hasher = Hasher()
        hasher.combine(namespace)
        hasher.combine(name)
        self.namesHash = hasher.finalize()
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.namesHash == rhs.namesHash && lhs.namespace == rhs.namespace && lhs.name == rhs.name
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(namesHash)
    }

    /// Parses `namespace/name`; a bare `name` takes `defaultNamespace`. Returns nil for an empty
    /// part or more than one slash, so a flag like `--default-backend-service a/b/c` is refused.
    public init?(parsing text: String, defaultNamespace: String = "default") {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(namespace: defaultNamespace, name: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(namespace: String(parts[0]), name: String(parts[1]))
        default:
            return nil
        }
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
