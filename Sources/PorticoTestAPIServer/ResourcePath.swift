/// A request path resolved against the registered resource types:
/// `/api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]`, and the same under
/// `/apis/{group}/{version}`.
struct ResourcePath: Hashable, Sendable {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?

    /// Returns nil when the path names no registered resource (the caller answers 404).
    static func resolve(_ path: String, types: [String: ResourceType]) -> ResourcePath? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let prefixLength: Int
        let groupVersion: String
        if segments.first == "api", segments.count >= 2 {
            groupVersion = segments[1]
            prefixLength = 2
        } else if segments.first == "apis", segments.count >= 3 {
            groupVersion = "\(segments[1])/\(segments[2])"
            prefixLength = 3
        } else {
            return nil
        }
        var rest = Array(segments.dropFirst(prefixLength))
        var namespace: String?
        // `namespaces/{ns}/{plural}...` scopes a namespaced resource; `namespaces[/{name}[/status]]`
        // alone is the cluster-scoped Namespace resource itself.
        if rest.count >= 3, rest[0] == "namespaces", types[key(groupVersion, rest[2])]?.namespaced == true {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, let type = types[key(groupVersion, plural)], rest.count <= 3 else { return nil }
        if namespace == nil, type.namespaced, rest.count > 1 {
            // A namespaced object must be addressed inside its namespace.
            return nil
        }
        return ResourcePath(
            type: type,
            namespace: namespace,
            name: rest.count > 1 ? rest[1] : nil,
            subresource: rest.count > 2 ? rest[2] : nil
        )
    }

    static func key(_ groupVersion: String, _ plural: String) -> String {
        "\(groupVersion)/\(plural)"
    }

    static func key(_ type: ResourceType) -> String {
        key(type.apiVersion, type.plural)
    }
}
