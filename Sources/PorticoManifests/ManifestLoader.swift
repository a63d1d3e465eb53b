import PorticoModel

/// Reads a folder of Kubernetes manifests into Portico's model, once, for tools (`portico
/// check`) and tests. Local mode's watcher (`ManifestSource`) reads with the same per-file
/// reader but keeps each file's result (`ManifestReadCache`), so that a change re-reads only
/// the files that changed.
///
/// - Every `*.yaml`, `*.yml` and `*.json` file below the folder is read, in sorted path order;
///   names starting with "." (files and folders) are skipped.
/// - A file may hold several YAML documents (`---`) and `kind: List` (or `IngressList`, ...)
///   documents with `items`. JSON is read as the YAML it is.
/// - Values are typed as Kubernetes types them (YAML 1.2 core schema, then JSON's strict types,
///   as sigs.k8s.io/yaml does): `port: "80"` and `name: 5` are errors, as `kubectl` reports
///   them; `!!str 5` or quotes make a string. Merge keys (`<<`) are applied.
/// - Documents of kinds Portico does not read are counted and skipped; empty ones are skipped.
/// - A known kind with another apiVersion, a document that does not decode, a YAML syntax error
///   and a second document with an existing key each become a `ManifestProblem` naming file,
///   line and field. Every other document still loads. The first document with a key wins.
///
/// It does not default or validate beyond decoding: that is translation's job, which reports
/// against the provenance (`Origin.file(path:line:)`) recorded here.
public struct ManifestLoader: Sendable {
    /// The folder as given; reported paths are this joined with each file's relative path.
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// Reads the folder, its files in parallel on the machine's cores.
    /// - Throws: `ManifestFolderError` when the folder itself is missing, not a folder or unreadable.
    public func load() throws(ManifestFolderError) -> ManifestSet {
        let listing = try ManifestFolder(path: folder).list()
        var builder = ManifestSetBuilder(unlistable: listing.unlistable)
        for (path, result) in zip(listing.files, ManifestFileReader.read(listing.files)) {
            builder.add(result, path: path)
        }
        return builder.set
    }
}
