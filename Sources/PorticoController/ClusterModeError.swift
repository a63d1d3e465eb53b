/// Why cluster mode cannot start.
public enum ClusterModeError: Error, Sendable, CustomStringConvertible {
    /// `ReconcileService` was configured for cluster mode without a Kubernetes client.
    case noClient

    public var description: String {
        switch self {
        case .noClient: "cluster mode needs a Kubernetes API client, and none was built"
        }
    }
}
