/// Why cluster mode cannot start.
public enum ClusterModeError: Error, Sendable, CustomStringConvertible {
    /// `ReconcileService` was configured for cluster mode without a Kubernetes client.
    case noClient
    /// In-cluster configuration was asked for, but `KUBERNETES_SERVICE_HOST`/`_PORT` are unset.
    case notInCluster

    public var description: String {
        switch self {
        case .noClient: "cluster mode needs a Kubernetes API client, and none was built"
        case .notInCluster: "not running in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset): give --kubeconfig PATH or --manifests DIR"
        }
    }
}
