import CPorticoCurl
import Foundation
import PorticoModel

extension KubeAPIError {
    /// The error for a transfer libcurl ended with `code`: TLS verification failures name the
    /// CA's source, everything else that left no answer is `transport`.
    static func transfer(code: CURLcode, detail: String, request: CurlRequest, settings: CurlTransportSettings) -> KubeAPIError {
        let what = "\(request.method.rawValue) \(request.target)"
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        // With TLS 1.3 the server judges the client certificate after the client considers
        // the handshake done, so its refusal arrives as an alert on the first read or write.
        if code == CURLE_SSL_CONNECT_ERROR || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR, isClientCertificateAlert(reason) {
            let refused = settings.clientCertificate.map { "the server refused the client certificate from \($0.source)" }
                ?? "the server asks for a client certificate and none is configured"
            return KubeAPIError(kind: .tlsVerification, message: "\(what): \(refused): \(reason)")
        }
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            return KubeAPIError(
                kind: .tlsVerification,
                message: "\(what): the server's certificate did not verify against the CA from \(settings.certificateAuthoritySource): \(reason)"
            )
        case CURLE_SSL_CONNECT_ERROR:
            let hint = settings.clientCertificate.map { "; the server may have refused the client certificate from \($0.source)" } ?? ""
            return KubeAPIError(kind: .tlsVerification, message: "\(what): the TLS handshake failed: \(reason)\(hint)")
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND:
            return KubeAPIError(kind: .configuration, message: "\(what): the TLS settings were refused: \(reason)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return KubeAPIError(kind: .configuration, message: "\(what): bad server URL: \(reason)")
        default:
            return KubeAPIError(kind: .transport, message: "\(what): \(reason)")
        }
    }

    /// Whether OpenSSL's text reports a TLS alert about our certificate (RFC 8446 6.2).
    private static func isClientCertificateAlert(_ text: String) -> Bool {
        let lowered = text.lowercased()
        guard lowered.contains("alert") else { return false }
        return ["unknown ca", "bad certificate", "certificate required", "certificate unknown", "certificate expired", "certificate revoked", "unsupported certificate"]
            .contains { lowered.contains($0) }
    }

    /// The error for a non-2xx answer: the decoded `Status` (when the body is one), the
    /// `Retry-After`, and for 401 and 403 a message saying what to fix.
    static func response(_ response: CurlResponse, request: CurlRequest, credentials: String) -> KubeAPIError {
        let status = try? JSONDecoder().decode(APIStatus.self, from: response.body)
        let retryAfter = response.retryAfter.flatMap(Int.init).map { Duration.seconds($0) }
            ?? status?.details?.retryAfterSeconds.map { Duration.seconds($0) }
        let what = "\(request.method.rawValue) \(request.target)"
        let serverSays = status?.message ?? String(decoding: response.body.prefix(512), as: UTF8.self)
        let message: String
        switch response.httpStatus {
        case 401:
            message = "\(what): 401 Unauthorized: the API server rejected \(credentials) (expired, revoked or for another cluster)"
        case 403:
            message = "\(forbiddenAdvice(request.access)) (\(what): \(serverSays))"
        default:
            let reason = status?.reason ?? HTTPStatusText.text(for: response.httpStatus)
            message = "\(what): \(response.httpStatus) \(reason): \(serverSays)"
        }
        return KubeAPIError(kind: .status, httpStatus: response.httpStatus, status: status, retryAfter: retryAfter, message: message)
    }

    /// "RBAC: the service account cannot list ingresses.networking.k8s.io at the cluster
    /// scope; grant it in a ClusterRole".
    static func forbiddenAdvice(_ access: CurlRequest.Access) -> String {
        let resource = access.resource.description + (access.subresource.map { "/\($0)" } ?? "")
        if access.resource.isNamespaced, let namespace = access.namespace {
            return "RBAC: the service account cannot \(access.verb) \(resource) in namespace \(namespace); grant it in a Role bound in \(namespace) or a ClusterRole"
        }
        return "RBAC: the service account cannot \(access.verb) \(resource) at the cluster scope; grant it in a ClusterRole"
    }
}

/// Reason phrases for status codes the API server answers with but whose body is not a
/// `Status` (a proxy in front of it, say).
enum HTTPStatusText {
    static func text(for code: Int) -> String {
        switch code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 410: "Gone"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP \(code)"
        }
    }
}
