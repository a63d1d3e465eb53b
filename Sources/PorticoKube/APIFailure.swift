internal import PorticoModel

/// A failed request to the API server sorted into the classes a person acts on differently, with
/// one sentence that says what happened and what to do. Log lines are per class, not per retry
/// (see `FailureReporter`).
public struct APIFailure: Hashable, Sendable, CustomStringConvertible {
    public enum Class: Hashable, Sendable {
        /// Refused, reset, timed out, name not resolved.
        case unreachable
        /// The server's certificate does not verify against the CA.
        case certificate
        /// 401: the token or client certificate is not accepted.
        case unauthorized
        /// 403 for one verb on one resource: an RBAC rule is missing.
        case forbidden(verb: String, resource: APIResource)
        /// 429 or a 5xx: the server is overloaded or failing.
        case overloaded
        /// Anything else (an unexpected status, undecodable answers, a bad configuration).
        case other
    }

    public let failureClass: Class
    public let description: String

    /// Classifies `error` raised by `verb` (`list`, `watch`, `get`, `update`, ...) on `resource`.
    /// - Parameter namespace: the request's namespace; nil means all namespaces (or a
    ///   cluster-scoped kind).
    public init(_ error: any Error, verb: String, resource: APIResource, namespace: String?) {
        guard let error = error as? KubeAPIError else {
            self.failureClass = .other
            self.description = "\(verb) \(resource) failed: \(error)"
            return
        }
        switch error.kind {
        case .transport:
            failureClass = .unreachable
            description = "cannot reach the API server (\(error.message)); retrying with backoff, the last routing table keeps serving"
        case .tlsVerification:
            failureClass = .certificate
            description = "the API server's TLS certificate does not verify against the configured CA (\(error.message)); check certificate-authority in the kubeconfig or the service account's ca.crt"
        case .decoding, .configuration:
            failureClass = .other
            description = "\(verb) \(resource) failed: \(error.message)"
        case .status:
            let code = error.httpStatus ?? error.status?.code ?? 0
            switch code {
            case 401:
                failureClass = .unauthorized
                description = "the API server rejected the credentials (401 Unauthorized) on \(verb) \(resource): the token or client certificate is invalid or expired; a rotated service-account token is re-read on every retry"
            case 403:
                failureClass = .forbidden(verb: verb, resource: resource)
                let scope: String
                if !resource.isNamespaced {
                    scope = "a ClusterRole"
                } else if let namespace {
                    scope = "a Role in namespace \(namespace) (or a ClusterRole)"
                } else {
                    scope = "a ClusterRole (all namespaces)"
                }
                let group = resource.group.isEmpty ? "\"\"" : resource.group
                description = "forbidden (403) to \(verb) \(resource)\(namespace.map { " in namespace \($0)" } ?? ""): grant the service account \(scope) with the rule apiGroups: [\(group)], resources: [\(resource.plural)], verbs: [\(verb)]; \(error.status?.message ?? error.message)"
            case 429, 500...599:
                failureClass = .overloaded
                description = "the API server answered \(code) on \(verb) \(resource) (\(error.status?.message ?? error.message)); retrying with backoff"
            default:
                failureClass = .other
                description = "\(verb) \(resource) failed with \(code): \(error.status?.message ?? error.message)"
            }
        }
    }
}
