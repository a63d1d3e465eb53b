public import PorticoModel

/// An object of a list or watch event that may not decode, so that one bad object does not fail
/// a whole list: it is either the object, or what could be read of its identity and the field
/// that failed, to report as a `.rejected` event naming namespace/name and the field path.
public enum Lenient<Object: Decodable & Sendable>: Decodable, Sendable {
    case decoded(Object)
    case undecodable(metadata: ObjectMeta?, field: String, message: String)

    private struct Identity: Decodable {
        var metadata: ObjectMeta?
    }

    public init(from decoder: any Decoder) throws {
        do {
            self = .decoded(try Object(from: decoder))
        } catch let error as DecodingError {
            let metadata = (try? Identity(from: decoder))?.metadata
            let (field, message) = Self.describe(error, below: decoder.codingPath.count)
            self = .undecodable(metadata: metadata, field: field, message: message)
        }
    }

    /// The field path in Kubernetes notation (`spec.rules[0].http.paths[1].backend`) and a
    /// sentence about what was wrong there.
    /// - Parameter depth: the length of the object's own coding path (`items[3]` in a list),
    ///   left out of the field path.
    static func describe(_ error: DecodingError, below depth: Int = 0) -> (field: String, message: String) {
        func path(_ keys: [any CodingKey]) -> String { Self.path(Array(keys.dropFirst(depth))) }
        switch error {
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "is not of the expected type (\(Self.typeName(type)))")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "is null or missing; expected \(Self.typeName(type))")
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "is required")
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return ("", "\(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch "\(type)" {
        case "String": "a string"
        case "Int", "Int64", "Int32", "UInt16": "an integer"
        case "Bool": "true or false"
        case let name where name.hasPrefix("Array"): "a list"
        case let name where name.hasPrefix("Dictionary"): "a map"
        default: "an object"
        }
    }
}
