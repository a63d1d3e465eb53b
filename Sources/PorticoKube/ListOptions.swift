/// Query parameters of a list request. `limit` with `continueToken` pages through large
/// collections, so that a first list in a big cluster is not one huge response.
public struct ListOptions: Hashable, Sendable {
    public var labelSelector: String?
    /// `type=kubernetes.io/tls` (Secrets), `metadata.name=portico` (one ConfigMap).
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// Nil asks for the most recent state (a quorum read), as a reflector's first list does.
    public var resourceVersion: String?

    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        limit: Int? = nil,
        continueToken: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }
}
