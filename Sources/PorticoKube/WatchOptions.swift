/// Query parameters of a watch request: the resourceVersion to start after, bookmarks so a
/// quiet watch still learns how far it may resume from, and a server-side timeout so streams
/// are renewed regularly (the API server ends them at `timeoutSeconds`).
public struct WatchOptions: Hashable, Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var resourceVersion: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        resourceVersion: String? = nil,
        timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool = true
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}
