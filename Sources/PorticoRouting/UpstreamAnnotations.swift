internal import PorticoModel
internal import PorticoRouteTable

/// What one Ingress asks of its backends' protocol through annotations, validated.
///
/// An Ingress that sets none of them asks for nothing: it neither decides a cluster's protocol
/// nor conflicts with the Ingress that does.
struct UpstreamRequest: Hashable {
    /// A `backend-protocol` value, as ingress-nginx spells them.
    enum Kind: String, Hashable, CaseIterable {
        case http = "HTTP"
        case https = "HTTPS"
        case h2c = "H2C"
        case grpc = "GRPC"
        case grpcs = "GRPCS"

        var version: UpstreamProtocol.Version {
            switch self {
            case .http, .https: .http1
            case .h2c, .grpc, .grpcs: .http2
            }
        }

        var usesTLS: Bool {
            switch self {
            case .https, .grpcs: true
            case .http, .h2c, .grpc: false
            }
        }
    }

    var kind: Kind?
    /// The annotation `kind` came from, for diagnostics.
    var kindAnnotation = UpstreamAnnotations.backendProtocol
    var secret: NamespacedName?
    var serverName: String?

    var isEmpty: Bool { kind == nil && secret == nil && serverName == nil }

    /// The annotation a diagnostic about a difference between two requests names.
    func differingAnnotation(from other: UpstreamRequest) -> String {
        if kind != other.kind { return kindAnnotation }
        if secret != other.secret { return UpstreamAnnotations.proxySSLSecret }
        return UpstreamAnnotations.proxySSLName
    }
}

/// Reads the upstream-protocol annotations of an Ingress.
///
/// An invalid value is reported as a warning and ignored, so the Ingress keeps serving with
/// the protocol its Service port's `appProtocol` gives (HTTP/1.1 by default): the same as
/// ingress-nginx, which falls back to its default for an annotation it cannot parse.
enum UpstreamAnnotations {
    static let backendProtocol = "portico.dev/backend-protocol"
    /// Accepted so that Ingresses written for ingress-nginx keep working unchanged; Portico's
    /// own annotation wins when both are set.
    static let nginxBackendProtocol = "nginx.ingress.kubernetes.io/backend-protocol"
    static let proxySSLSecret = "portico.dev/proxy-ssl-secret"
    static let proxySSLName = "portico.dev/proxy-ssl-name"

    static func parse(_ annotations: [String: String], namespace: String, report: inout ObjectReport) -> UpstreamRequest {
        var request = UpstreamRequest()
        for name in [backendProtocol, nginxBackendProtocol] {
            guard let written = annotations[name] else { continue }
            if let kind = UpstreamRequest.Kind(rawValue: written.uppercased()) {
                request.kind = kind
                request.kindAnnotation = name
                break
            }
            let allowed = UpstreamRequest.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            report.warning("metadata.annotations[\(name)]", "\(quoted(written)) is not one of \(allowed); it is ignored")
        }
        if let written = annotations[proxySSLSecret] {
            if let secret = NamespacedName(parsing: written.trimmingSpaces, defaultNamespace: namespace) {
                request.secret = secret
            } else {
                report.warning("metadata.annotations[\(proxySSLSecret)]", "\(quoted(written)) is not \"namespace/name\" or \"name\"; it is ignored")
            }
        }
        if let written = annotations[proxySSLName] {
            let name = written.trimmingSpaces.lowercased()
            if isServerName(name) {
                request.serverName = name
            } else {
                report.warning(
                    "metadata.annotations[\(proxySSLName)]",
                    "\(quoted(written)) is not a DNS name (an IP address cannot be sent as SNI); it is ignored"
                )
            }
        }
        return request
    }

    /// A DNS name usable as SNI: letters, digits, hyphens and dots, at least one letter.
    private static func isServerName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253, !name.hasPrefix("."), !name.hasSuffix(".") else { return false }
        var hasLetter = false
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): hasLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): ()
            default: return false
            }
        }
        return hasLetter
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
