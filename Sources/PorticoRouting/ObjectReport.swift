internal import PorticoModel

/// Collects the diagnostics about one object while it is being translated.
struct ObjectReport: Sendable {
    let object: ObjectKey
    let origin: Origin
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var hasErrors = false

    init(object: ObjectKey, origin: Origin) {
        self.object = object
        self.origin = origin
    }

    mutating func error(_ field: String, _ message: String) {
        hasErrors = true
        diagnostics.append(Diagnostic(severity: .error, object: object, origin: origin, field: field, message: message))
    }

    mutating func warning(_ field: String, _ message: String) {
        diagnostics.append(Diagnostic(severity: .warning, object: object, origin: origin, field: field, message: message))
    }
}
