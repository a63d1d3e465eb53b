internal import Logging
internal import PorticoKube

/// Builds the Kubernetes client for a `ClusterSettings.Connection`.
enum KubeClientFactory {
    static func client(for connection: ClusterSettings.Connection, logger: Logger) throws -> any KubernetesAPI {
        throw ClusterModeError.noClient
    }
}
