import ArgumentParser
import PorticoModel

/// `--configmap` for the commands that translate a manifest folder without running
/// (`check`, `routes`), so that they compile the same table `run --manifests` would.
/// (`run` takes the flag in `ClusterOptions`, where cluster mode also watches it.)
struct ConfigMapOption: ParsableArguments {
    @Option(help: ArgumentHelp("The controller's ConfigMap of global settings (ssl-redirect, force-ssl-redirect, hsts), as namespace/name, read from the manifest folder.", valueName: "ns/name"))
    var configmap: String?

    func name() throws -> NamespacedName? {
        try configmap.map { try Self.parse($0) }
    }

    /// Parses `--configmap`'s namespace/name; shared with `ClusterOptions`.
    static func parse(_ text: String) throws -> NamespacedName {
        guard text.contains("/"), let name = NamespacedName(parsing: text) else {
            throw ValidationError("--configmap takes namespace/name, not \"\(text)\".")
        }
        return name
    }
}
