import Foundation
import Yams

/// A `DecodingError` translated for a person: the field in Kubernetes notation
/// (`spec.rules[0].http.paths[1]`), a sentence, and the line of the deepest node of that field
/// that exists in the document.
struct DecodingFailure: Equatable, Sendable {
    var field: String
    var message: String
    var line: Int

    /// - Parameters:
    ///   - error: what the decoder threw; anything other than a `DecodingError` is described as is.
    ///   - root: the document (or List item) node that was decoded.
    ///   - fallbackLine: used when no node along the path has a position.
    init(_ error: any Error, root: Node, fallbackLine: Int) {
        guard let error = error as? DecodingError else {
            self.init(field: "", message: "\(error)", line: fallbackLine)
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            let located = FieldLocation(context.codingPath, in: root, fallbackLine: fallbackLine)
            self.init(field: located.field, message: "missing required field \"\(key.stringValue)\"", line: located.line)
        case .typeMismatch(let type, let context):
            let located = FieldLocation(context.codingPath, in: root, fallbackLine: fallbackLine)
            let found = located.node.map(Self.describe) ?? "nothing"
            self.init(field: located.field, message: "expected \(Self.describe(type)), found \(found)", line: located.line)
        case .valueNotFound(let type, let context):
            let located = FieldLocation(context.codingPath, in: root, fallbackLine: fallbackLine)
            self.init(field: located.field, message: "expected \(Self.describe(type)), found nothing", line: located.line)
        case .dataCorrupted(let context):
            let located = FieldLocation(context.codingPath, in: root, fallbackLine: fallbackLine)
            self.init(field: located.field, message: context.debugDescription, line: located.line)
        @unknown default:
            self.init(field: "", message: "\(error)", line: fallbackLine)
        }
    }

    init(field: String, message: String, line: Int) {
        self.field = field
        self.message = message
        self.line = line
    }

    /// What a decoder expected, in the words of a manifest author rather than Swift type names.
    static func describe(_ type: Any.Type) -> String {
        if type is any BinaryInteger.Type { return "a whole number" }
        if type is any BinaryFloatingPoint.Type { return "a number" }
        if type == String.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type == Node.Mapping.self { return "a mapping" }
        if type == Node.Sequence.self { return "a list" }
        if type == Node.Scalar.self { return "a single value" }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || name.hasPrefix("[") && name.contains(":") { return "a mapping" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
        return "a value of type \(name)"
    }

    /// What the document holds, quoted when it is a value, so `found 'abc'` reads unambiguously.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if ResolvedScalar(scalar) == .null {
                return scalar.string.isEmpty ? "nothing" : "null"
            }
            let text = scalar.string
            let shown = text.count > 40 ? String(text.prefix(40)) + "..." : text
            return "'\(shown)'"
        }
    }
}

/// Follows a coding path through a node tree, rendering it in Kubernetes' field notation and
/// remembering the deepest node that exists (a missing field's parent, say) for its line.
struct FieldLocation {
    var field = ""
    /// The node at the full path, or nil when the path leaves the document.
    var node: Node?
    var line: Int

    init(_ codingPath: [any CodingKey], in root: Node, fallbackLine: Int) {
        var current: Node? = root
        line = root.mark?.line ?? fallbackLine
        for key in codingPath {
            var next: Node?
            if case .sequence(let sequence)? = current, let index = key.intValue {
                field += "[\(index)]"
                next = sequence.indices.contains(index) ? sequence[index] : nil
            } else if case .mapping? = current {
                field += field.isEmpty ? key.stringValue : "." + key.stringValue
                next = current?.field(key.stringValue)
            } else if let index = key.intValue, key.stringValue.hasPrefix("Index ") {
                field += "[\(index)]"
            } else {
                field += field.isEmpty ? key.stringValue : "." + key.stringValue
            }
            current = next
            if let mark = next?.mark { line = mark.line }
        }
        node = current
    }
}
