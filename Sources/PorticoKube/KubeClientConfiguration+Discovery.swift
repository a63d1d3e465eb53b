import Foundation

extension KubeClientConfiguration {
    /// Finds the API server as a controller should, in client-go's order: an explicit
    /// kubeconfig (`--kubeconfig`), else the pod's service account when running in a pod, else
    /// `$KUBECONFIG` (one file; lists are not merged), else `$HOME/.kube/config` when it
    /// exists. A `context` skips in-cluster detection, since it only means something in a
    /// kubeconfig. Throws a `configuration` error when nothing is found, saying what was
    /// looked at.
    public static func discover(
        kubeconfig: String?,
        context: String?,
        environment: [String: String],
        serviceAccountDirectory: String = InClusterConfiguration.defaultServiceAccountDirectory,
        userAgent: String = "portico"
    ) throws -> KubeClientConfiguration {
        if let kubeconfig {
            return try KubeconfigLoader.load(path: kubeconfig, context: context, userAgent: userAgent)
        }
        if context == nil,
           let inCluster = try InClusterConfiguration.detect(environment: environment, serviceAccountDirectory: serviceAccountDirectory, userAgent: userAgent) {
            return inCluster
        }
        if let variable = environment["KUBECONFIG"], !variable.isEmpty {
            let paths = variable.split(separator: ":").map(String.init)
            guard paths.count == 1, let path = paths.first else {
                throw KubeAPIError(kind: .configuration, message: "KUBECONFIG lists several files (\(variable)); Portico does not merge them: pass one with --kubeconfig PATH")
            }
            return try KubeconfigLoader.load(path: path, context: context, userAgent: userAgent)
        }
        if let home = environment["HOME"], !home.isEmpty {
            let path = URL(fileURLWithPath: home).appendingPathComponent(".kube/config").path
            if FileManager.default.fileExists(atPath: path) {
                return try KubeconfigLoader.load(path: path, context: context, userAgent: userAgent)
            }
        }
        throw KubeAPIError(
            kind: .configuration,
            message: "no Kubernetes API server configured: not in a pod (KUBERNETES_SERVICE_HOST unset), no KUBECONFIG, no ~/.kube/config; pass --kubeconfig PATH"
        )
    }
}
