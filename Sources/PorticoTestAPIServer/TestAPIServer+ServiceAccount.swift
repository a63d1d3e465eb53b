public import Foundation

extension TestAPIServer {
    /// Writes what a pod sees in `/var/run/secrets/kubernetes.io/serviceaccount`: `token`,
    /// `ca.crt` (this server's CA) and `namespace`, so in-cluster configuration code can be
    /// pointed at `folder`. Writing a new token here and calling `setTokens` is a token rotation.
    public func writeServiceAccount(to folder: URL, token: String, namespace: String = "portico") throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(token.utf8).write(to: folder.appendingPathComponent("token"), options: .atomic)
        try Data(caPEM.utf8).write(to: folder.appendingPathComponent("ca.crt"), options: .atomic)
        try Data(namespace.utf8).write(to: folder.appendingPathComponent("namespace"), options: .atomic)
    }

    /// The environment variables a pod gets for the API server's service
    /// (`KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`), pointing at this server.
    public var serviceEnvironment: [String: String] {
        ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(port)]
    }
}
