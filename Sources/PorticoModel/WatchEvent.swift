/// One line of a watch stream (`{"type": ..., "object": ...}`), decoded.
///
/// A bookmark carries only the resourceVersion a watch may resume from; an error carries the
/// `Status` that ended the stream (`Expired`/410 when the resourceVersion was compacted away).
public enum WatchEvent<Object: Decodable & Sendable>: Decodable, Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    case bookmark(resourceVersion: String)
    case error(APIStatus)

    private enum CodingKeys: String, CodingKey {
        case type, object
    }

    private struct BookmarkObject: Decodable {
        var metadata: ObjectMeta
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            let object = try container.decode(BookmarkObject.self, forKey: .object)
            self = .bookmark(resourceVersion: object.metadata.resourceVersion ?? "")
        case "ERROR": self = .error(try container.decode(APIStatus.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type,
                in: container,
                debugDescription: "unknown watch event type \"\(type)\""
            )
        }
    }
}
