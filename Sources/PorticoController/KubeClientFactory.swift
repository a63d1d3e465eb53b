internal import Foundation
internal import Logging
internal import PorticoKube

/// Builds the libcurl Kubernetes client for a `ClusterSettings.Connection`.
enum KubeClientFactory {
    /// - Throws: a `KubeAPIError` of kind `configuration` naming the kubeconfig field or the
    ///   service-account file at fault, or `ClusterModeError.notInCluster`.
    static func client(for connection: ClusterSettings.Connection, logger: Logger) throws -> CurlKubernetesClient {
        let configuration: KubeClientConfiguration
        switch connection {
        case .kubeconfig(let path, let context):
            configuration = try KubeconfigLoader.load(path: path, context: context)
        case .inCluster:
            guard let detected = try InClusterConfiguration.detect(environment: ProcessInfo.processInfo.environment) else {
                throw ClusterModeError.notInCluster
            }
            configuration = detected
        }
        return try CurlKubernetesClient(configuration: configuration, logger: logger)
    }
}
