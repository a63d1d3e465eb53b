internal import Foundation
internal import PorticoManifests
internal import PorticoModel
internal import PorticoProxy
public import PorticoRouteTable
public import PorticoRouting

/// `portico check DIR` and `portico routes DIR`: load a manifest folder once, translate it, and
/// say what is wrong with it, the way `nginx -t` checks a configuration before it is used.
public struct ManifestCheck: Sendable {
    /// Every problem found, one line each, origin (file:line) first.
    public var problems: [String]
    public var errorCount: Int
    public var warningCount: Int
    /// How many objects of the kinds Portico reads were loaded.
    public var objectCount: Int
    /// The table that would be served.
    public var table: RouteTable

    /// Loads and translates `directory`, and parses its TLS certificates as the proxy would
    /// (key match, validity, host coverage). Throws only when the folder itself cannot be read
    /// or no default certificate can be generated.
    public static func run(directory: String, options: TranslationOptions) throws -> ManifestCheck {
        let manifests = try ManifestLoader(folder: directory).load()
        let result = translate(ResourceSnapshot(manifests.resources), options: options, generation: 1)
        let sourceProblems = manifests.problems.map { "error: \($0.error)" }
        let translationProblems = result.diagnostics.map { "\($0.severity): \($0)" }
        let certificateProblems = try CertificateStore.withGeneratedDefault()
            .compile(result.table.certificates, defaultCertificate: result.table.defaultCertificate, now: Date())
            .problems.map { problem in
                let origin = NamespacedName(parsing: problem.secret)
                    .flatMap { manifests.resources[ObjectKey(kind: .secret, name: $0)]?.origin }
                return origin.map { "error: \($0): \(problem)" } ?? "error: \(problem)"
            }
        let errors = manifests.problems.count + result.diagnostics.filter { $0.severity == .error }.count
        return ManifestCheck(
            problems: sourceProblems.sorted() + translationProblems + certificateProblems,
            errorCount: errors + certificateProblems.count,
            warningCount: result.diagnostics.count - (errors - manifests.problems.count),
            objectCount: manifests.resources.count,
            table: result.table
        )
    }
}
