/// An answer the server gives instead of serving a request, to test a client's retries.
public enum InjectedFault: Sendable, Hashable {
    /// 500 InternalError.
    case internalError
    /// 429 TooManyRequests with `Retry-After`, as API Priority and Fairness answers.
    case tooManyRequests(retryAfterSeconds: Int)
    /// Any other Status.
    case status(APIStatus)

    var status: APIStatus {
        switch self {
        case .internalError:
            APIStatus(code: 500, reason: "InternalError", message: "Internal error occurred: injected fault")
        case .tooManyRequests(let seconds):
            APIStatus(
                code: 429,
                reason: "TooManyRequests",
                message: "Too many requests, please try again later.",
                retryAfterSeconds: seconds
            )
        case .status(let status):
            status
        }
    }
}

/// A queued fault: answers the next `remaining` requests whose path starts with `pathPrefix`
/// and whose method matches.
struct FaultRule: Sendable {
    var fault: InjectedFault
    var remaining: Int
    var pathPrefix: String?
    var method: String?

    func matches(method: String, path: String) -> Bool {
        remaining > 0 && (pathPrefix.map(path.hasPrefix) ?? true) && (self.method.map { $0 == method } ?? true)
    }
}
