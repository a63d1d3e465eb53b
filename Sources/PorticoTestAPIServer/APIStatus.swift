/// A failed request as the API server reports it: a `Status` object with an HTTP code, a
/// machine-readable reason and a message. Thrown by the server's Swift API too, so a test sees
/// the same outcome a client would.
public struct APIStatus: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: [String: JSONValue]
    /// Sent as the `Retry-After` header for 429 answers.
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String, message: String, details: [String: JSONValue] = [:], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object as the real server writes it.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": .object([:]),
            "status": "Failure",
            "message": .string(message),
            "reason": .string(reason),
            "code": .integer(Int64(code)),
        ]
        var details = self.details
        if let retryAfterSeconds { details["retryAfterSeconds"] = .integer(Int64(retryAfterSeconds)) }
        if !details.isEmpty { fields["details"] = .object(details) }
        if reason.isEmpty { fields["reason"] = nil }
        return .object(fields)
    }

    static func objectDetails(_ type: ResourceType, name: String) -> [String: JSONValue] {
        ["name": .string(name), "group": .string(type.group), "kind": .string(type.plural)]
    }

    static let unauthorized = APIStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func notFound(_ type: ResourceType, name: String) -> APIStatus {
        APIStatus(
            code: 404,
            reason: "NotFound",
            message: "\(type.qualifiedName) \"\(name)\" not found",
            details: objectDetails(type, name: name)
        )
    }

    /// For a path that names no registered resource.
    static let pathNotFound = APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    static func alreadyExists(_ type: ResourceType, name: String) -> APIStatus {
        APIStatus(
            code: 409,
            reason: "AlreadyExists",
            message: "\(type.qualifiedName) \"\(name)\" already exists",
            details: objectDetails(type, name: name)
        )
    }

    static func conflict(_ type: ResourceType, name: String) -> APIStatus {
        APIStatus(
            code: 409,
            reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualifiedName) \"\(name)\": the object has been modified; "
                + "please apply your changes to the latest version and try again",
            details: objectDetails(type, name: name)
        )
    }

    /// The watch `ERROR` object and list answer for a resourceVersion older than the history.
    static func expired(requested: Int, oldest: Int) -> APIStatus {
        APIStatus(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    static let continueExpired = APIStatus(
        code: 410,
        reason: "Expired",
        message: "The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter."
    )

    static func forbidden(user: String, verb: String, type: ResourceType, subresource: String?, namespace: String?, name: String?) -> APIStatus {
        let resource = subresource.map { "\(type.plural)/\($0)" } ?? type.plural
        let subject = name.map { "\(type.qualifiedName) \"\($0)\"" } ?? type.qualifiedName
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        var details: [String: JSONValue] = ["group": .string(type.group), "kind": .string(type.plural)]
        if let name { details["name"] = .string(name) }
        return APIStatus(
            code: 403,
            reason: "Forbidden",
            message: "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\" "
                + "in API group \"\(type.group)\" \(scope)",
            details: details
        )
    }

    static func badRequest(_ message: String) -> APIStatus {
        APIStatus(code: 400, reason: "BadRequest", message: message)
    }

    static func invalid(_ type: ResourceType, name: String, _ message: String) -> APIStatus {
        APIStatus(
            code: 422,
            reason: "Invalid",
            message: "\(type.kind) \"\(name)\" is invalid: \(message)",
            details: objectDetails(type, name: name)
        )
    }

    static func methodNotAllowed(_ method: String) -> APIStatus {
        APIStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource (\(method))")
    }

    static func unsupportedMediaType(_ contentType: String, accepted: String) -> APIStatus {
        APIStatus(
            code: 415,
            reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: \(accepted) (got \(contentType))"
        )
    }

    static let resourceVersionOnCreate = APIStatus(
        code: 500,
        reason: "InternalError",
        message: "Internal error occurred: resourceVersion should not be set on objects to be created"
    )

    static func tooLargeResourceVersion(requested: Int, current: Int) -> APIStatus {
        APIStatus(
            code: 504,
            reason: "Timeout",
            message: "Too large resource version: \(requested), current: \(current)",
            details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1]
        )
    }

    static let requestEntityTooLarge = APIStatus(code: 413, reason: "RequestEntityTooLarge", message: "the request body is too large")
}
