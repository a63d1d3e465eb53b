import ArgumentParser
import Foundation
import PorticoController
import PorticoModel

/// Flags of cluster mode: how to reach the API server, what to watch, where status comes from,
/// and the Lease of leader election.
struct ClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cluster mode with this kubeconfig file (outside a cluster). Without --manifests and --kubeconfig, Portico uses its service account when run in a pod.", valueName: "path"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("The kubeconfig context to use. Default: its current-context.", valueName: "name"))
    var context: String?

    @Option(help: ArgumentHelp("Watch Ingresses, Services, EndpointSlices and Secrets of this namespace only. Default: all namespaces.", valueName: "ns"))
    var watchNamespace: String?

    @Option(help: ArgumentHelp("The controller's ConfigMap of global settings (ssl-redirect, force-ssl-redirect, hsts), as namespace/name; in local mode it comes from the manifest folder.", valueName: "ns/name"))
    var configmap: String?

    @Option(help: ArgumentHelp("The Service (usually type LoadBalancer) in front of Portico, as namespace/name: its load-balancer addresses become the status of our Ingresses.", valueName: "ns/name"))
    var publishService: String?

    @Option(help: ArgumentHelp("Addresses (IPs or host names, comma-separated) written as the status of our Ingresses; takes precedence over --publish-service.", valueName: "list"))
    var publishStatusAddress: String?

    @Option(help: ArgumentHelp("Name of the coordination.k8s.io Lease replicas elect the status writer with.", valueName: "name"))
    var electionId = ClusterSettings.defaultElectionID

    /// Cluster settings when cluster mode is selected (no `--manifests`); throws a usage error
    /// when no way to reach a cluster is known.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClusterSettings {
        let connection: ClusterSettings.Connection
        if let kubeconfig {
            connection = .kubeconfig(path: kubeconfig, context: context)
        } else if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            connection = .inCluster
        } else {
            throw ValidationError(
                "Give --manifests DIR (local mode) or --kubeconfig PATH (cluster mode); inside a pod, cluster mode uses the service account without flags."
            )
        }
        let configMap = try controllerConfigMap()
        let publishService = try publishService.map { try Self.name($0, "--publish-service") }
        let addresses = (publishStatusAddress ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let watchNamespace, watchNamespace.isEmpty {
            throw ValidationError("--watch-namespace takes a namespace name; leave it out to watch all namespaces.")
        }
        guard !electionId.isEmpty else { throw ValidationError("--election-id takes a Lease name.") }
        return ClusterSettings(
            connection: connection,
            watchNamespace: watchNamespace,
            configMap: configMap,
            publishService: publishService,
            publishStatusAddresses: addresses,
            electionID: electionId,
            electionNamespace: ClusterSettings.electionNamespace(environment: environment, configMap: configMap),
            identity: ClusterSettings.identity(environment: environment)
        )
    }

    /// The `--configmap` name, in either mode: translation reads its settings, and cluster mode
    /// also watches it.
    func controllerConfigMap() throws -> NamespacedName? {
        try configmap.map { try ConfigMapOption.parse($0) }
    }

    private static func name(_ text: String, _ flag: String) throws -> NamespacedName {
        guard text.contains("/"), let name = NamespacedName(parsing: text) else {
            throw ValidationError("\(flag) takes namespace/name, not \"\(text)\".")
        }
        return name
    }
}
