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
