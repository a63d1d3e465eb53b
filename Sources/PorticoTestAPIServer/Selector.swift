internal import Foundation

/// A parsed `labelSelector` or `fieldSelector` query parameter: a conjunction of requirements.
///
/// Label selectors support `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)` and `k notin (a,b)`.
/// Field selectors support `=`, `==` and `!=` on `metadata.name`, `metadata.namespace` and, for
/// any kind, a top-level string field such as Secret `type` (the real server allows only a fixed
/// set per kind; this server is more lenient).
struct Selector: Sendable, Hashable {
    enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
    }

    var requirements: [Requirement]

    static let everything = Selector(requirements: [])

    /// Throws `APIStatus` 400 on a selector it cannot parse.
    static func parse(_ text: String) throws(APIStatus) -> Selector {
        var requirements: [Requirement] = []
        for term in splitTerms(text) {
            let term = term.trimmingSpaces
            if term.isEmpty { continue }
            if let range = term.range(of: " notin ") {
                requirements.append(.notIn(String(term[..<range.lowerBound]).trimmingSpaces, try values(term[range.upperBound...])))
            } else if let range = term.range(of: " in ") {
                requirements.append(.isIn(String(term[..<range.lowerBound]).trimmingSpaces, try values(term[range.upperBound...])))
            } else if let range = term.range(of: "!=") {
                requirements.append(.notEquals(String(term[..<range.lowerBound]).trimmingSpaces, String(term[range.upperBound...]).trimmingSpaces))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(.equals(String(term[..<range.lowerBound]).trimmingSpaces, String(term[range.upperBound...]).trimmingSpaces))
            } else if term.hasPrefix("!") {
                requirements.append(.notExists(String(term.dropFirst()).trimmingSpaces))
            } else if term.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(term))
            } else {
                throw APIStatus.badRequest("unable to parse requirement: \(term)")
            }
        }
        return Selector(requirements: requirements)
    }

    /// Whether `fields` (labels, or the flattened field set) satisfy every requirement.
    func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): fields[key] == value
            case .notEquals(let key, let value): fields[key] != value
            case .exists(let key): fields[key] != nil
            case .notExists(let key): fields[key] == nil
            case .isIn(let key, let values): fields[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(fields[key].map(values.contains) ?? false)
            }
        }
    }

    /// The keys a field selector refers to, so the caller can flatten only those.
    var keys: [String] {
        requirements.map { requirement in
            switch requirement {
            case .equals(let key, _), .notEquals(let key, _), .exists(let key), .notExists(let key),
                .isIn(let key, _), .notIn(let key, _):
                key
            }
        }
    }

    /// Splits on commas outside parentheses.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: terms.append(current); current = ""
            default: current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    private static func values(_ text: Substring) throws(APIStatus) -> Set<String> {
        let trimmed = String(text).trimmingSpaces
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else {
            throw APIStatus.badRequest("unable to parse requirement: expected a parenthesized set, got \(trimmed)")
        }
        return Set(trimmed.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces })
    }
}
