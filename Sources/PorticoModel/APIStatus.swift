/// The `Status` object (meta/v1) the API server sends for every failure: in a non-2xx response
/// body and as the object of a watch `ERROR` event. Its `reason` and `code` are what a client
/// acts on (`Expired`/410 means relist, `Conflict`/409 means read again and retry).
public struct APIStatus: Codable, Hashable, Sendable, Error, CustomStringConvertible {
    public var kind: String?
    public var apiVersion: String?
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// Machine-readable: `Expired`, `Gone`, `Conflict`, `AlreadyExists`, `NotFound`,
    /// `Unauthorized`, `Forbidden`, `TooManyRequests`, `InternalError`, ...
    public var reason: String?
    public var code: Int?
    public var details: Details?

    public init(
        status: String? = "Failure",
        message: String? = nil,
        reason: String? = nil,
        code: Int? = nil,
        details: Details? = nil
    ) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    public struct Details: Codable, Hashable, Sendable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, retryAfterSeconds: Int? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public var description: String {
        "\(code.map { "\($0) " } ?? "")\(reason ?? "Failure"): \(message ?? "no message")"
    }
}
