import Foundation

/// Detects that Portico runs in a pod and builds the configuration every pod gets: the API
/// server's address from `KUBERNETES_SERVICE_HOST`/`_PORT`, and the service account's CA,
/// token and namespace from its mounted folder.
public enum InClusterConfiguration {
    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Nil when the environment variables are absent (not in a pod). Throws a `configuration`
    /// error naming the file when they are set but the service-account folder is incomplete
    /// (`automountServiceAccountToken: false`, say). The token is read per request, not here,
    /// so that rotation is seen; this only checks that the file is readable now.
    public static func detect(
        environment: [String: String],
        serviceAccountDirectory: String = defaultServiceAccountDirectory,
        userAgent: String = "portico"
    ) throws -> KubeClientConfiguration? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else { return nil }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw KubeAPIError(kind: .configuration, message: "in-cluster: KUBERNETES_SERVICE_PORT \"\(port)\" is not a port number")
        }
        // An IPv6 service address goes in brackets in a URL.
        let authority = host.contains(":") ? "[\(host)]:\(portNumber)" : "\(host):\(portNumber)"
        let folder = URL(fileURLWithPath: serviceAccountDirectory)
        let caPath = folder.appendingPathComponent("ca.crt").path
        let tokenPath = folder.appendingPathComponent("token").path
        let namespacePath = folder.appendingPathComponent("namespace").path
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw missing(caPath)
        }
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw missing(tokenPath)
        }
        let namespace = FileManager.default.contents(atPath: namespacePath)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 }
        return KubeClientConfiguration(
            server: "https://\(authority)",
            certificateAuthorityPEM: ca,
            certificateAuthoritySource: caPath,
            bearerToken: .file(path: tokenPath),
            namespace: namespace,
            userAgent: userAgent
        )
    }

    private static func missing(_ path: String) -> KubeAPIError {
        KubeAPIError(
            kind: .configuration,
            message: "in-cluster: KUBERNETES_SERVICE_HOST is set but \(path) cannot be read; is the service account token mounted (automountServiceAccountToken)?"
        )
    }
}
