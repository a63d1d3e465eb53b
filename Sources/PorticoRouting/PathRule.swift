internal import PorticoRouteTable

/// Validates one HTTP path of an Ingress rule (`path` and `pathType`) as the Ingress v1 API does
/// and turns it into a `PathMatch`.
enum PathRule {
    enum Outcome: Equatable {
        case valid(PathMatch)
        /// The field (relative to the path, `pathType` or `path`) and the message to report.
        case invalid(field: String, message: String)
    }

    static let supportedTypes = ["Exact", "ImplementationSpecific", "Prefix"]
    /// Sequences the API refuses in Exact and Prefix paths: they would mean different things
    /// to different proxies after normalisation.
    static let invalidSequences = ["//", "/./", "/../", "%2f", "%2F"]
    static let invalidSuffixes = ["/..", "/."]

    static func parse(path: String?, pathType: String?) -> Outcome {
        guard let pathType else {
            return .invalid(field: "pathType", message: "pathType is required (one of \(supportedList))")
        }
        let written = path ?? ""
        switch pathType {
        case "Exact", "Prefix":
            guard written.hasPrefix("/") else {
                return .invalid(field: "path", message: "\(quoted(written)) must be an absolute path (start with \"/\")")
            }
            if let sequence = invalidSequences.first(where: { written.contains($0) }) {
                return .invalid(field: "path", message: "\(quoted(written)) must not contain \(quoted(sequence))")
            }
            if let suffix = invalidSuffixes.first(where: { written.hasSuffix($0) }) {
                return .invalid(field: "path", message: "\(quoted(written)) must not end with \(quoted(suffix))")
            }
            return .valid(pathType == "Exact" ? .exact(written) : .prefix(written: written))
        case "ImplementationSpecific":
            // Portico gives ImplementationSpecific the meaning of Prefix; an empty path is "/".
            if written.isEmpty { return .valid(.prefix(written: "/")) }
            guard written.hasPrefix("/") else {
                return .invalid(field: "path", message: "\(quoted(written)) must be an absolute path (start with \"/\")")
            }
            return .valid(.prefix(written: written))
        default:
            return .invalid(field: "pathType", message: "unsupported value \(quoted(pathType)): supported values: \(supportedList)")
        }
    }

    private static var supportedList: String {
        supportedTypes.map { quoted($0) }.joined(separator: ", ")
    }
}
