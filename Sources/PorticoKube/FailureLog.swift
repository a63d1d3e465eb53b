import Logging
import Synchronization

/// Logs one line per class of API failure rather than one per failed request: a reflector
/// retrying a forbidden list every few seconds must not fill the log. A class is logged again
/// only after a request that would have hit it succeeds (then a "recovered" line is logged).
///
/// Classes: transport, TLS verification, configuration, rejected credentials (401), server
/// trouble (429 and 5xx), decoding, and one per verb and resource for RBAC refusals (403).
/// Answers that callers act on as normal flow (404, 409, 410, 422) are not failures here.
final class FailureLog: Sendable {
    private let logger: Logger
    private let active = Mutex<Set<String>>([])

    init(logger: Logger) {
        self.logger = logger
    }

    func record(_ error: any Error, access: CurlRequest.Access) {
        guard let error = error as? KubeAPIError, let key = Self.key(error, access: access) else { return }
        let isNew = active.withLock { $0.insert(key).inserted }
        if isNew {
            logger.error("Kubernetes API: \(error.message)", metadata: ["failure": "\(key)"])
        } else {
            logger.debug("Kubernetes API: \(error.message)", metadata: ["failure": "\(key)"])
        }
    }

    func recordSuccess(access: CurlRequest.Access) {
        let forbidden = Self.forbiddenKey(access)
        let cleared: [String] = active.withLock { active in
            guard !active.isEmpty else { return [] }
            let cleared = active.filter { !$0.hasPrefix("forbidden ") || $0 == forbidden }
            active.subtract(cleared)
            return Array(cleared)
        }
        for key in cleared.sorted() {
            logger.info("Kubernetes API: recovered from \(key) failures")
        }
    }

    private static func key(_ error: KubeAPIError, access: CurlRequest.Access) -> String? {
        switch error.kind {
        case .transport: return "transport"
        case .tlsVerification: return "tls-verification"
        case .configuration: return "configuration"
        case .decoding: return "decoding"
        case .status:
            switch error.httpStatus ?? 0 {
            case 401: return "unauthorized"
            case 403: return forbiddenKey(access)
            case 429, 500...599: return "server-error"
            default: return nil
            }
        }
    }

    private static func forbiddenKey(_ access: CurlRequest.Access) -> String {
        "forbidden \(access.verb) \(access.resource)\(access.subresource.map { "/\($0)" } ?? "")"
    }
}
