/// What an open watch stream is sent next.
enum WatchMessage: Sendable {
    /// One line `{"type":…,"object":…}`.
    case event(type: String, object: JSONValue)
    /// The end of the stream: clean (the terminating chunk, as at `timeoutSeconds`) or dropped
    /// (the connection closes mid-stream, as when an API server restarts).
    case end(clean: Bool)

    var line: JSONValue? {
        guard case .event(let type, let object) = self else { return nil }
        return ["type": .string(type), "object": object]
    }

    static func error(_ status: APIStatus) -> WatchMessage {
        .event(type: "ERROR", object: status.json)
    }

    /// A bookmark: an object of the watched kind carrying only its resourceVersion.
    static func bookmark(_ type: ResourceType, resourceVersion: Int, annotations: [String: JSONValue] = [:]) -> WatchMessage {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(resourceVersion))]
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        return .event(
            type: "BOOKMARK",
            object: ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion), "metadata": .object(metadata)]
        )
    }
}
