public import PorticoModel

/// A problem translation found in one object, ready to show a person: which object, where it
/// came from, which field, and what is wrong.
///
/// Diagnostics are values, not log lines, because translation is pure: the reconciler decides
/// whether to log them, write them to status or print them (`portico check`).
public struct Diagnostic: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// An error rejects the whole object; a warning keeps the rest of it serving.
    public enum Severity: String, Hashable, Sendable, CustomStringConvertible {
        case error
        case warning

        public var description: String { rawValue }
    }

    public let severity: Severity
    public let object: ObjectKey
    public let origin: Origin
    /// The field path in Kubernetes notation (`spec.rules[1].http.paths[0].backend.service.port`),
    /// or empty when the problem concerns the object as a whole.
    public let field: String
    public let message: String

    public init(severity: Severity, object: ObjectKey, origin: Origin, field: String, message: String) {
        self.severity = severity
        self.object = object
        self.origin = origin
        self.field = field
        self.message = message
    }

    /// `examples/web.yaml:12: Ingress default/web: spec.rules[0].host: "Foo_Bar" is not a valid
    /// DNS name`. The origin leads only when it is a file: for an API object the namespace/name
    /// already says where to look.
    public var description: String {
        var text = ""
        if case .file = origin { text = "\(origin): " }
        text += object.description
        if !field.isEmpty { text += ": \(field)" }
        return text + ": \(message)"
    }

    /// Orders by object, then field, then message, so that a result lists each object's
    /// problems together and in the same order whatever the input order.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.object != rhs.object { return lhs.object < rhs.object }
        if lhs.field != rhs.field { return lhs.field < rhs.field }
        if lhs.message != rhs.message { return lhs.message < rhs.message }
        return lhs.severity.rawValue < rhs.severity.rawValue
    }
}
