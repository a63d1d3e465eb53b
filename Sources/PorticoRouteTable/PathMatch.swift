/// How a route's path matches a request path, with Ingress v1 semantics.
///
/// `ImplementationSpecific` compiles to `.prefix`: Portico gives it the same element-wise meaning
/// as `Prefix` rather than ingress-nginx's regular expressions, so one manifest means one thing.
public enum PathMatch: Hashable, Sendable, CustomStringConvertible {
    /// Case-sensitive equality with the whole request path (query excluded).
    case exact(String)
    /// Element-wise prefix on `/`: the stored value is normalised, without trailing slash, and
    /// the empty string for `/`. `/foo` matches `/foo`, `/foo/` and `/foo/bar`, never `/foobar`.
    case prefix(String)

    /// Builds a prefix match from the path as written in an Ingress (`/foo/` means `/foo`).
    public static func prefix(written path: String) -> PathMatch {
        .prefix(PathMatch.trimmingTrailingSlashes(Substring(path)).description)
    }

    /// Whether this matches `path` (the request path without its query). The table does not call
    /// this on the request path; it is the reference the table's indexed lookup is tested against.
    public func matches(_ path: Substring) -> Bool {
        switch self {
        case .exact(let value):
            return path == value[...]
        case .prefix(let value):
            if value.isEmpty { return path.hasPrefix("/") || path.isEmpty }
            guard path.hasPrefix(value) else { return false }
            let rest = path.dropFirst(value.utf8.count)
            return rest.isEmpty || rest.hasPrefix("/")
        }
    }

    /// The precedence of this match among those that match one request.
    public var precedence: RoutePrecedence {
        switch self {
        case .exact(let value): RoutePrecedence(length: value.utf8.count, isExact: true)
        case .prefix(let value): RoutePrecedence(length: value.isEmpty ? 1 : value.utf8.count, isExact: false)
        }
    }

    public var description: String {
        switch self {
        case .exact(let value): "= \(value)"
        case .prefix(let value): "\(value.isEmpty ? "/" : value)*"
        }
    }

    /// The path as a person would write it, without the match kind.
    public var path: String {
        switch self {
        case .exact(let value): value
        case .prefix(let value): value.isEmpty ? "/" : value
        }
    }

    static func trimmingTrailingSlashes(_ path: Substring) -> Substring {
        var end = path.endIndex
        while end > path.startIndex, path[path.index(before: end)] == "/" {
            end = path.index(before: end)
        }
        return path[path.startIndex..<end]
    }
}

/// The Ingress v1 precedence of a path match, as a value: a longer path wins, and at equal length
/// Exact beats Prefix. Greater means "wins".
public struct RoutePrecedence: Hashable, Sendable, Comparable {
    public let length: Int
    public let isExact: Bool

    public init(length: Int, isExact: Bool) {
        self.length = length
        self.isExact = isExact
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.length != rhs.length { return lhs.length < rhs.length }
        return !lhs.isExact && rhs.isExact
    }
}
