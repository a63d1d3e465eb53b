/// What the server answers: a JSON object, plain text, or the start of a watch stream.
enum APIResponse: Sendable {
    case object(status: Int, body: JSONValue, retryAfterSeconds: Int?)
    case text(status: Int, body: String)
    case watch(WatchOpening)

    static func status(_ status: APIStatus) -> APIResponse {
        .object(status: status.code, body: status.json, retryAfterSeconds: status.retryAfterSeconds)
    }

    var statusCode: Int {
        switch self {
        case .object(let status, _, _), .text(let status, _): status
        case .watch: 200
        }
    }
}
