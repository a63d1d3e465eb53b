import Foundation
import PorticoModel
import Yams

/// Reads one manifest file into a `ManifestSet` being built: splits it into YAML documents,
/// expands Lists, decodes the kinds Portico reads and turns every failure into a problem that
/// names file, line and field. One bad document never stops the others.
struct ManifestFileReader {
    let path: String

    func read(into set: inout ManifestSet) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.isReadableFile(atPath: path) ? "it vanished or is not a regular file" : "permission denied"
            fileFailed("cannot read file: \(reason)", line: 1, in: &set)
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            fileFailed("cannot read file: not UTF-8 text", line: 1, in: &set)
            return
        }
        do {
            // The same resolver YAMLDecoder uses, so that decoding a composed node behaves
            // exactly like decoding the text.
            let parser = try Parser(yaml: text, resolver: Resolver.basic.appending(Resolver.Rule.merge))
            try withExtendedLifetime(parser) {
                // Bounded by the file: each call consumes one document or throws.
                while let root = try parser.nextRoot() {
                    readDocument(root, into: &set)
                }
            }
        } catch let error as YamlError {
            let (message, line) = Self.describe(error)
            fileFailed(message, line: line, in: &set)
        } catch {
            fileFailed("invalid YAML: \(error)", line: 1, in: &set)
        }
    }

    /// Records a failure that stops reading the file. Documents before it have been read; the
    /// file is marked unreadable so that a watcher keeps whatever it yielded before.
    private func fileFailed(_ message: String, line: Int, in set: inout ManifestSet) {
        set.problems.append(ManifestProblem(key: nil, error: SourceError(origin: .file(path: path, line: line), message: message)))
        set.unreadablePaths.insert(path)
    }

    private func readDocument(_ root: Node, into set: inout ManifestSet) {
        let line = root.mark?.line ?? 1
        guard case .mapping = root else {
            if root.null != nil, root.scalar?.style == .plain || root.scalar?.style == .any {
                return  // an empty document, as between `---` separators
            }
            problem(nil, line: line, field: "", "expected a Kubernetes object (a mapping with apiVersion and kind), found \(DecodingFailure.describe(root))", into: &set)
            return
        }
        let kind = root["kind"]?.string
        guard let kind, kind.hasSuffix("List"), ResourceKind(rawValue: kind) == nil else {
            readObject(root, defaults: nil, into: &set)
            return
        }
        // `kind: List`, or a typed list such as `IngressList` as `kubectl get -o yaml` writes it,
        // whose items may omit kind and apiVersion.
        guard let items = root["items"] else {
            if kind == "List" {
                problem(nil, line: line, field: "items", "missing required field \"items\"", into: &set)
            } else {
                set.ignoredDocuments += 1
            }
            return
        }
        guard case .sequence(let sequence) = items else {
            problem(nil, line: items.mark?.line ?? line, field: "items", "expected a list, found \(DecodingFailure.describe(items))", into: &set)
            return
        }
        let defaults: ObjectDefaults? =
            kind == "List" ? nil : ObjectDefaults(kind: String(kind.dropLast("List".count)), apiVersion: root["apiVersion"]?.string)
        for item in sequence {
            guard case .mapping = item else {
                problem(nil, line: item.mark?.line ?? line, field: "", "expected a Kubernetes object (a mapping with apiVersion and kind), found \(DecodingFailure.describe(item))", into: &set)
                continue
            }
            readObject(item, defaults: defaults, into: &set)
        }
    }

    /// What a typed List lends its items.
    private struct ObjectDefaults {
        var kind: String
        var apiVersion: String?
    }

    private func readObject(_ node: Node, defaults: ObjectDefaults?, into set: inout ManifestSet) {
        let line = node.mark?.line ?? 1
        guard let kindName = node["kind"]?.string ?? defaults?.kind else {
            problem(nil, line: line, field: "", "missing required field \"kind\"", into: &set)
            return
        }
        guard let kind = ResourceKind(rawValue: kindName) else {
            set.ignoredDocuments += 1
            return
        }
        let key = Self.readableKey(of: node, kind: kind)
        guard let apiVersion = node["apiVersion"]?.string ?? defaults?.apiVersion else {
            problem(key, line: line, field: "", "missing required field \"apiVersion\"", into: &set)
            return
        }
        guard kind.apiVersions.contains(apiVersion) else {
            let supported = kind.apiVersions.sorted().joined(separator: " or ")
            problem(
                key, line: node["apiVersion"]?.mark?.line ?? line, field: "apiVersion",
                "\(kind) \(apiVersion) is not supported; use \(supported)", into: &set)
            return
        }
        let resource: Resource
        do {
            resource = try Self.decode(kind, apiVersion: apiVersion, from: node)
        } catch {
            let failure = DecodingFailure(error, root: node, fallbackLine: line)
            problem(key, line: failure.line, field: failure.field, failure.message, into: &set)
            return
        }
        guard let name = resource.metadata.name, !name.isEmpty else {
            let metadataLine = node["metadata"]?.mark?.line ?? line
            problem(nil, line: metadataLine, field: "metadata", "missing required field \"name\"", into: &set)
            return
        }
        let sourced = SourcedResource(resource, origin: .file(path: path, line: line))
        if let first = set.resources[sourced.key] {
            problem(
                sourced.key, line: line, field: "metadata.name",
                "duplicate \(sourced.key): \(first.origin) defines it first and wins", into: &set)
            return
        }
        set.resources[sourced.key] = sourced
    }

    private func problem(_ key: ObjectKey?, line: Int, field: String, _ message: String, into set: inout ManifestSet) {
        set.problems.append(ManifestProblem(key: key, error: SourceError(origin: .file(path: path, line: line), field: field, message: message)))
    }

    /// Decodes a known kind. `apiVersion` and `kind` are set from what was resolved, so that an
    /// item of a typed List (which omits them) equals the same object written on its own.
    private static func decode(_ kind: ResourceKind, apiVersion: String, from node: Node) throws -> Resource {
        func decode<T: Decodable>(_ type: T.Type, _ apiVersionField: WritableKeyPath<T, String?>, _ kindField: WritableKeyPath<T, String?>) throws -> T {
            var object = try YAMLDecoder().decode(type, from: node)
            object[keyPath: apiVersionField] = apiVersion
            object[keyPath: kindField] = kind.rawValue
            return object
        }
        switch kind {
        case .ingress: return .ingress(try decode(Ingress.self, \.apiVersion, \.kind))
        case .ingressClass: return .ingressClass(try decode(IngressClass.self, \.apiVersion, \.kind))
        case .service: return .service(try decode(Service.self, \.apiVersion, \.kind))
        case .endpointSlice: return .endpointSlice(try decode(EndpointSlice.self, \.apiVersion, \.kind))
        case .endpoints: return .endpoints(try decode(Endpoints.self, \.apiVersion, \.kind))
        case .secret: return .secret(try decode(Secret.self, \.apiVersion, \.kind))
        case .configMap: return .configMap(try decode(ConfigMap.self, \.apiVersion, \.kind))
        }
    }

    /// The key a document names even when it does not decode, defaulted as `Resource.key` does.
    static func readableKey(of node: Node, kind: ResourceKind) -> ObjectKey? {
        guard case .scalar(let nameScalar)? = node["metadata"]?["name"], !nameScalar.string.isEmpty else { return nil }
        var namespace = ""
        if kind.isNamespaced {
            if case .scalar(let scalar)? = node["metadata"]?["namespace"], node["metadata"]?["namespace"]?.null == nil {
                namespace = scalar.string
            } else {
                namespace = "default"
            }
        }
        return ObjectKey(kind: kind, namespace: namespace, name: nameScalar.string)
    }

    /// A syntax error as a sentence, and the line it was found on.
    static func describe(_ error: YamlError) -> (message: String, line: Int) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text))" } ?? ""
            return ("invalid YAML: \(problem)\(during)", mark.line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return ("invalid YAML: duplicate key \(names) in one mapping", context.mark.line)
        case .reader(let problem, _, _, _):
            return ("invalid YAML: \(problem)", 1)
        default:
            return ("invalid YAML: \(error)", 1)
        }
    }
}
