import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing

/// One Contour-style table row: objects in; lookups, diagnostics and rejections out.
struct TranslationCase: Sendable, CustomStringConvertible {
    struct Lookup: Sendable {
        let host: String
        let path: String
        /// The expected cluster (`namespace/service:port`), or nil for 404.
        let cluster: String?
    }

    let name: String
    var objects: [SourcedResource]
    var options = TranslationOptions()
    var lookups: [Lookup] = []
    /// `severity: description` of every diagnostic, in the result's order.
    var diagnostics: [String] = []
    /// `Kind namespace/name` of every rejected object, sorted.
    var rejected: [String] = []

    var description: String { name }

    init(
        _ name: String,
        _ resources: [Resource],
        options: TranslationOptions = TranslationOptions(),
        lookups: [(String, String, String?)] = [],
        diagnostics: [String] = [],
        rejected: [String] = []
    ) {
        self.init(
            name, sourced: resources.map { SourcedResource($0, origin: .apiServer) }, options: options,
            lookups: lookups, diagnostics: diagnostics, rejected: rejected
        )
    }

    init(
        _ name: String,
        sourced: [SourcedResource],
        options: TranslationOptions = TranslationOptions(),
        lookups: [(String, String, String?)] = [],
        diagnostics: [String] = [],
        rejected: [String] = []
    ) {
        self.name = name
        self.objects = sourced
        self.options = options
        self.lookups = lookups.map { Lookup(host: $0.0, path: $0.1, cluster: $0.2) }
        self.diagnostics = diagnostics
        self.rejected = rejected
    }

    /// Translates, checks order independence, then every expectation of the row.
    @discardableResult
    func check(sourceLocation: SourceLocation = #_sourceLocation) -> TranslationResult {
        let result = translateInEveryOrder(objects, options: options, sourceLocation: sourceLocation)
        for lookup in lookups {
            let route = result.table.lookup(host: Substring(lookup.host), path: Substring(lookup.path))
            #expect(
                clusterName(route) == lookup.cluster, "\(name): \(lookup.host)\(lookup.path)",
                sourceLocation: sourceLocation
            )
        }
        #expect(result.diagnostics.map { "\($0.severity): \($0)" } == diagnostics, "\(name)", sourceLocation: sourceLocation)
        #expect(result.rejected.sorted().map(\.description) == rejected, "\(name)", sourceLocation: sourceLocation)
        return result
    }
}

func clusterName(_ route: Route?) -> String? {
    guard let route else { return nil }
    switch route.backend {
    case .cluster(let id): return id.description
    }
}

/// Translates `objects` as given and in several seeded shuffles, expects the same rendering
/// every time, and returns the first result.
func translateInEveryOrder(
    _ objects: [SourcedResource],
    options: TranslationOptions,
    generation: UInt64 = 1,
    sourceLocation: SourceLocation = #_sourceLocation
) -> TranslationResult {
    let first = translate(ResourceSnapshot(Fixture.snapshot(objects)), options: options, generation: generation)
    let expected = render(first)
    for seed in UInt64(1)...6 {
        var rng = SplitMix64(seed: seed)
        let shuffled = objects.shuffled(using: &rng)
        let result = translate(ResourceSnapshot(Fixture.snapshot(shuffled)), options: options, generation: generation)
        #expect(render(result) == expected, "shuffle seed \(seed) changed the output", sourceLocation: sourceLocation)
    }
    let reversed = translate(ResourceSnapshot(Fixture.snapshot(objects.reversed())), options: options, generation: generation)
    #expect(render(reversed) == expected, "reversed input changed the output", sourceLocation: sourceLocation)
    return first
}

/// A complete, canonical text form of a result, for order-independence comparisons.
func render(_ result: TranslationResult) -> String {
    var lines: [String] = ["generation \(result.table.generation)"]
    func describe(_ route: Route) -> String {
        "\(route.match) -> \(route.backend) [\(route.source.namespace)/\(route.source.ingress) svc \(route.source.service)]"
    }
    for host in result.table.virtualHosts {
        lines.append("host \(host.match)")
        lines += host.routes.map { "  \(describe($0))" }
        if let fallback = host.fallback { lines.append("  fallback \(describe(fallback))") }
        if let passthrough = host.passthrough { lines.append("  passthrough \(passthrough)") }
    }
    for (port, service) in result.table.tcpServices.sorted(by: { $0.key < $1.key }) {
        lines.append("tcp \(port) -> \(service.cluster) decode=\(service.decodeProxyProtocol) send=\(service.sendProxyProtocol)")
    }
    if let route = result.table.defaultRoute { lines.append("default \(describe(route))") }
    for (id, cluster) in result.table.clusters.sorted(by: { $0.key < $1.key }) {
        lines.append("cluster \(id) exists=\(cluster.serviceExists) upstream=\(cluster.upstream) tls=\(String(describing: cluster.upstream.tls))")
    }
    for (id, endpoints) in result.table.endpoints.sorted(by: { $0.key < $1.key }) {
        lines.append("endpoints \(id) \(endpoints)")
    }
    lines += result.diagnostics.map { "\($0.severity): \($0)" }
    lines += result.rejected.sorted().map { "rejected \($0)" }
    lines += result.ingresses.map { "ours \($0)" }
    return lines.joined(separator: "\n")
}
