/// A denial of one verb on one resource, answered 403 Forbidden with the real server's message.
/// Nil fields match anything.
public struct AccessRule: Sendable, Hashable {
    /// `get`, `list`, `watch`, `create`, `update`, `patch` or `delete`.
    public var verb: String?
    /// The plural, with `/status` for the subresource: `ingresses`, `ingresses/status`.
    public var resource: String?
    /// The API group; empty for the core group.
    public var group: String?
    public var namespace: String?
    /// The user; nil denies everyone.
    public var user: String?

    public init(verb: String? = nil, resource: String? = nil, group: String? = nil, namespace: String? = nil, user: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.group = group
        self.namespace = namespace
        self.user = user
    }

    func matches(verb: String, resource: String, group: String, namespace: String?, user: String) -> Bool {
        (self.verb.map { $0 == verb } ?? true)
            && (self.resource.map { $0 == resource } ?? true)
            && (self.group.map { $0 == group } ?? true)
            && (self.namespace.map { $0 == namespace } ?? true)
            && (self.user.map { $0 == user } ?? true)
    }
}
