import Foundation
import PorticoManifests
import PorticoModel
import PorticoRouteTable
import PorticoRouting
import PorticoTestSupport
import Testing
import Yams

/// `manifests/examples/*`: each loads in local mode without a problem, routes as its comments
/// say, passes `portico check`, and is complete for `kubectl apply -f` (every Service has a
/// Deployment whose pods it selects; the Namespace file sorts first).
@Suite("manifests/examples")
struct ExampleTests {
    static let examples = ["host-path-routing", "tls", "default-backend"]

    /// The example's table as local mode builds it (the folder read recursively, so with its
    /// `local-endpoints/`).
    static func table(_ example: String) throws -> (ManifestSet, TranslationResult) {
        let set = try ManifestLoader(folder: Repository.url("manifests/examples/\(example)").path).load()
        let result = translate(ResourceSnapshot(set.resources), options: TranslationOptions(), generation: 1)
        return (set, result)
    }

    @Test(arguments: examples)
    func loadsAndTranslatesWithoutAProblem(example: String) throws {
        let (set, result) = try Self.table(example)
        #expect(set.problems.isEmpty, "\(set.problems)")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(!result.ingresses.isEmpty)
        for (cluster, endpoints) in result.table.endpoints {
            #expect(endpoints.allSatisfy { $0.host == "127.0.0.1" }, "\(cluster)")
        }
        #expect(result.table.clusters.keys.allSatisfy { !(result.table.endpoints[$0] ?? []).isEmpty }, "a Service without local endpoints")
    }

    @Test func hostAndPathRoutingGoesWhereTheCommentsSay() throws {
        let table = try Self.table("host-path-routing").1.table
        func service(_ host: Substring, _ path: Substring) -> String? { table.lookup(host: host, path: path)?.source.service }
        #expect(service("shop.example.test", "/") == "web")
        #expect(service("shop.example.test", "/api/cart") == "api")
        #expect(service("shop.example.test", "/apiary") == "web")
        #expect(service("api.example.test", "/v1/status") == "api")
        #expect(service("api.example.test", "/v1/status/more") == nil)
        #expect(service("other.test", "/") == nil)
    }

    @Test func tlsServesTheSecretForItsHostAndRedirects() throws {
        let table = try Self.table("tls").1.table
        let certificate = try #require(table.certificates.first)
        #expect(certificate.secret == "portico-demo/secure-example-tls")
        #expect(certificate.hosts == ["secure.example.test"])
        #expect(certificate.material != nil)
        #expect(table.redirectsToHTTPS)
        #expect(table.lookup(host: "secure.example.test", path: "/")?.source.service == "web")
    }

    @Test func defaultBackendTakesEveryUnmatchedRequest() throws {
        let table = try Self.table("default-backend").1.table
        #expect(table.lookup(host: "anything.test", path: "/some/path")?.source.service == "fallback")
    }

    /// The real executable agrees, certificates parsed as the proxy would (validity, names).
    @Test(arguments: examples)
    func porticoCheckPasses(example: String) async throws {
        let result = try await PorticoProcess.run(["check", Repository.url("manifests/examples/\(example)").path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(" 0 errors, 0 warnings"), "\(result.output)")
    }

    @Test(arguments: examples)
    func isCompleteForKubectlApply(example: String) throws {
        let folder = Repository.url("manifests/examples/\(example)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.first == "00-namespace.yaml", "kubectl applies files in name order; the Namespace must come first")
        var services: [String: [String: String]] = [:]
        var podLabels: [[String: String]] = []
        for file in files {
            for node in try Repository.documents("manifests/examples/\(example)/\(file)") {
                let object = try YAMLDecoder().decode(K8s.Object.self, from: node)
                if object.kind != "Namespace" && object.kind != "IngressClass" {
                    #expect(object.metadata.namespace == "portico-demo", "\(file): \(object.kind) \(object.metadata.name ?? "?")")
                }
                #expect(object.kind != "EndpointSlice", "\(file): EndpointSlices belong in local-endpoints/, the cluster writes its own")
                if object.kind == "Service" {
                    services[object.metadata.name ?? ""] = try YAMLDecoder().decode(K8s.ServiceSpecExtras.self, from: node).spec.selector ?? [:]
                }
                if object.kind == "Deployment" {
                    let deployment = try YAMLDecoder().decode(K8s.Deployment.self, from: node)
                    podLabels.append(deployment.spec.template.metadata?.labels ?? [:])
                    #expect(deployment.spec.template.spec.containers.allSatisfy { !$0.image.isEmpty })
                }
            }
        }
        #expect(!services.isEmpty)
        for (name, selector) in services {
            #expect(!selector.isEmpty && podLabels.contains { labels in selector.allSatisfy { labels[$0.key] == $0.value } }, "Service \(name) selects no pod")
        }
    }
}
