import Foundation
import Testing
import Yams

/// `charts/portico` without Helm: every value the templates use exists, every value is used,
/// and the defaults describe the objects of `manifests/deploy.yaml`. Parts of templates that
/// hold no template action are compared with deploy.yaml as text.
@Suite("charts/portico")
struct ChartTests {
    static let chart = "charts/portico"

    static func values() throws -> Node {
        try #require(try Yams.compose(yaml: Repository.text("\(chart)/values.yaml")))
    }

    static func templates() throws -> [String: String] {
        let folder = Repository.url("\(chart)/templates")
        var texts: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            texts[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        return texts
    }

    /// Every `.Values.a.b` path in the templates, with the file it is in.
    static func valuePaths() throws -> [(file: String, path: [String])] {
        let pattern = try NSRegularExpression(pattern: #"\.Values((?:\.[A-Za-z0-9_]+)+)"#)
        var found: [(String, [String])] = []
        for (file, text) in try templates() {
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                guard let pathRange = Range(match.range(at: 1), in: text) else { continue }
                found.append((file, text[pathRange].split(separator: ".").map(String.init)))
            }
        }
        return found
    }

    static func value(_ path: [String], in node: Node) -> Node? {
        var current: Node? = node
        for key in path {
            current = current?[key]
        }
        return current
    }

    static func value(_ dotted: String) throws -> Node? {
        value(dotted.split(separator: ".").map(String.init), in: try values())
    }

    @Test func everyValueTheTemplatesUseExists() throws {
        let values = try Self.values()
        let paths = try Self.valuePaths()
        #expect(paths.count > 30)
        for (file, path) in paths {
            #expect(Self.value(path, in: values) != nil, "\(file) uses .Values.\(path.joined(separator: ".")), which values.yaml lacks")
        }
    }

    @Test func everyValueIsUsedByATemplate() throws {
        let used = Set(try Self.valuePaths().map { $0.path.joined(separator: ".") })
        /// Leaves of values.yaml, and maps taken whole (`toYaml`) as their own path.
        func leaves(_ node: Node, _ prefix: [String]) -> [String] {
            let path = prefix.joined(separator: ".")
            if used.contains(path) { return [] }
            guard let mapping = node.mapping, !mapping.isEmpty else { return [path] }
            return mapping.flatMap { key, value in leaves(value, prefix + [key.string ?? ""]) }
        }
        let unused = leaves(try Self.values(), []).filter { path in !used.contains { $0.hasPrefix(path + ".") } }
        #expect(unused.isEmpty, "values.yaml entries no template reads: \(unused)")
    }

    @Test func defaultsDescribeTheDeploymentOfDeployYaml() throws {
        let deployment = try DeployManifestTests.deployment()
        let container = try #require(deployment.spec.template.spec.containers.first)
        let chart = try YAMLDecoder().decode(ChartFile.self, from: Repository.text("\(Self.chart)/Chart.yaml"))
        #expect(try Self.value("replicaCount")?.int == deployment.spec.replicas)
        let tag = try Self.value("image.tag")?.string.flatMap { $0.isEmpty ? nil : $0 } ?? chart.appVersion
        #expect(try "\(Self.value("image.repository")?.string ?? ""):\(tag)" == container.image)
        let resources = try YAMLDecoder().decode(K8s.Container.Resources.self, from: #require(try Self.value("resources")))
        #expect(resources == container.resources)
        #expect(try Self.value("shutdown.terminationGracePeriodSeconds")?.int == deployment.spec.template.spec.terminationGracePeriodSeconds)

        let args = container.args ?? []
        #expect(args.contains(try "--ingress-class=\(Self.value("ingressClass.name")?.string ?? "")"))
        #expect(args.contains(try "--election-id=\(Self.value("controller.electionID")?.string ?? "")"))
        #expect(args.contains(try "--shutdown-drain-delay=\(Self.value("shutdown.drainDelay")?.string ?? "")"))
        #expect(args.contains(try "--shutdown-grace-period=\(Self.value("shutdown.gracePeriod")?.string ?? "")"))
        #expect(try Self.value("controller.watchNamespace")?.string == "")
        #expect(try Self.value("controller.extraArgs")?.sequence?.isEmpty == true)
        #expect(!args.contains { $0.hasPrefix("--watch-namespace") || $0.hasPrefix("--tcp-services-configmap") })

        let nodeSelector = try YAMLDecoder().decode([String: String].self, from: #require(try Self.value("nodeSelector")))
        let deployNodeSelector = try #require(Repository.documents(DeployManifestTests.path).first { $0["kind"]?.string == "Deployment" })
        #expect(nodeSelector == (try YAMLDecoder().decode([String: String].self, from: #require(deployNodeSelector["spec"]?["template"]?["spec"]?["nodeSelector"]))))
        let podAnnotations = try YAMLDecoder().decode([String: String].self, from: #require(try Self.value("podAnnotations")))
        #expect(podAnnotations == deployment.spec.template.metadata?.annotations)
    }

    @Test func defaultsDescribeTheOtherObjectsOfDeployYaml() throws {
        let path = DeployManifestTests.path
        let ingressClass = try #require(Repository.documents(path).first { $0["kind"]?.string == "IngressClass" })
        #expect(try Self.value("ingressClass.name")?.string == ingressClass["metadata"]?["name"]?.string)
        #expect(try Self.value("ingressClass.create")?.bool == true)
        let isDefault = ingressClass["metadata"]?["annotations"]?["ingressclass.kubernetes.io/is-default-class"]?.string == "true"
        #expect(try Self.value("ingressClass.default")?.bool == isDefault)
        let controller = try #require(ingressClass["spec"]?["controller"]?.string)
        #expect(try Self.templates()["ingressclass.yaml"]?.contains("controller: \(controller)\n") == true)

        let service = try #require(Repository.documents(path).first { $0["kind"]?.string == "Service" })
        #expect(try Self.value("service.type")?.string == service["spec"]?["type"]?.string)
        #expect(try Self.value("service.externalTrafficPolicy")?.string == service["spec"]?["externalTrafficPolicy"]?.string)
        let ports = (service["spec"]?["ports"]?.sequence ?? []).compactMap { $0["port"]?.int }
        #expect(try [Self.value("service.ports.http")?.int, Self.value("service.ports.https")?.int] == ports.map(Optional.some))
        #expect(try Self.value("service.annotations")?.mapping?.isEmpty == true)

        let budget = try #require(Repository.objects(K8s.PodDisruptionBudget.self, kind: "PodDisruptionBudget", in: path).first)
        #expect(try Self.value("podDisruptionBudget.enabled")?.bool == true)
        #expect(try Self.value("podDisruptionBudget.minAvailable")?.int == budget.spec.minAvailable)

        // deploy.yaml has no metrics Service or ServiceMonitor: off by default.
        #expect(try Self.value("metrics.service.enabled")?.bool == false)
        #expect(try Self.value("metrics.serviceMonitor.enabled")?.bool == false)
        #expect(try Self.value("controller.config")?.mapping?.isEmpty == true)
    }

    /// The parts without template actions (RBAC rules, container ports, probes, security) are
    /// the same text in both, once the Role's lease name is filled in from values.yaml.
    @Test(arguments: [
        ("clusterrole.yaml", "rules:\n", "---"),
        ("role.yaml", "rules:\n", "---"),
        ("deployment.yaml", "          env:\n", "          resources:\n"),
        ("deployment.yaml", "          securityContext:\n", "---"),
    ])
    func untemplatedPartsMatchDeployYaml(file: String, from start: String, to end: String) throws {
        let electionID = try #require(try Self.value("controller.electionID")?.string)
        let template = try #require(try Self.templates()[file])
            .replacingOccurrences(of: "{{ .Values.controller.electionID | quote }}", with: "\"\(electionID)\"")
        let templatePart = try #require(Self.section(of: template, from: start, to: end))
        let deploy = try Repository.text(DeployManifestTests.path)
        let kind = ["clusterrole.yaml": "kind: ClusterRole\n", "role.yaml": "kind: Role\n", "deployment.yaml": "kind: Deployment\n"][file] ?? ""
        let object = try #require(deploy.range(of: kind)).upperBound
        let deployPart = try #require(Self.section(of: String(deploy[object...]), from: start, to: end))
        #expect(templatePart == deployPart)
    }

    /// The text from the first `start` up to `end` (or the end of the text).
    static func section(of text: String, from start: String, to end: String) -> String? {
        guard let from = text.range(of: start) else { return nil }
        let rest = text[from.lowerBound...]
        let upTo = rest.range(of: end)?.lowerBound ?? rest.endIndex
        return rest[..<upTo].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyTemplateNamesItsNamespaceAndLabels() throws {
        for (file, text) in try Self.templates() where file.hasSuffix(".yaml") {
            #expect(text.contains("include \"portico.labels\""), "\(file) has no standard labels")
            let clusterScoped = text.contains("kind: ClusterRole") || text.contains("kind: IngressClass")
            if !clusterScoped {
                #expect(text.contains("namespace: {{ .Release.Namespace }}"), "\(file) has no namespace")
            }
        }
        let notes = try String(contentsOf: Repository.url("\(Self.chart)/templates/NOTES.txt"), encoding: .utf8)
        #expect(notes.contains("ingressClassName"))
    }

    @Test func readmeTableListsEveryValue() throws {
        let readme = try Repository.text("\(Self.chart)/README.md")
        let paths = Set(try Self.valuePaths().map { $0.path.joined(separator: ".") })
        for path in paths where !readme.contains("`\(path)`") {
            // A map documented as a whole (`resources`) covers its entries.
            #expect(paths.contains { readme.contains("`\($0)`") && path.hasPrefix($0 + ".") }, "README lacks \(path)")
        }
    }

    struct ChartFile: Decodable {
        var apiVersion: String
        var name: String
        var version: String
        var appVersion: String
    }
}
