internal import PorticoManifests

extension Configuration {
    /// Checks what can be checked before anything starts, so that a wrong path fails at once
    /// with a message naming it instead of after the listeners are up.
    public func validate() throws {
        switch source {
        case .manifests(let directory):
            _ = try ManifestSource(folder: directory)
        case .cluster:
            // The client checks its kubeconfig or service account when Bootstrap builds it.
            break
        }
    }
}
