import Foundation
import PorticoModel
import Synchronization
import Yams

/// Reads one manifest file: splits it into YAML documents, expands Lists, decodes the kinds
/// Portico reads and turns every failure into a problem that names file, line and field. One bad
/// document never stops the others.
///
/// Decoding is Kubernetes' own route: each object's composed node is written as JSON
/// (`NodeJSONWriter`, YAML 1.2 core schema) and decoded by `JSONDecoder` with JSON's strict
/// types; the node stays for error locations. On the 10,000-Ingress scale folder this took
/// decoding from ~18 s with Yams' `YAMLDecoder` to ~2 s (JSON writing plus `JSONDecoder`).
struct ManifestFileReader {
    let path: String

    /// Reads `paths` (in any order), returning results in the same order. Files are spread over
    /// the machine's cores; each file is read wholly on one thread, and the results are values.
    static func read(_ paths: [String]) -> [ManifestFileResult] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, 8, max(1, paths.count / 16))
        guard workers > 1 else { return paths.map { ManifestFileReader(path: $0).read() } }
        let chunks = Mutex<[Int: [ManifestFileResult]]>([:])
        let chunkSize = (paths.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = min(paths.count, worker * chunkSize)..<min(paths.count, (worker + 1) * chunkSize)
            let results = range.map { ManifestFileReader(path: paths[$0]).read() }
            chunks.withLock { $0[worker] = results }
        }
        return chunks.withLock { chunks in (0..<workers).flatMap { chunks[$0] ?? [] } }
    }

    func read() -> ManifestFileResult {
        var result = ManifestFileResult()
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.isReadableFile(atPath: path) ? "it vanished or is not a regular file" : "permission denied"
            fileFailed("cannot read file: \(reason)", line: 1, in: &result)
            result.isReadFailure = true
            return result
        }
        guard let text = String(data: data, encoding: .utf8) else {
            fileFailed("cannot read file: not UTF-8 text", line: 1, in: &result)
            return result
        }
        do {
            // No resolver rules: scalars are resolved once, by `ResolvedScalar`, when written as
            // JSON. Yams' regular-expression rules would run on every key and value.
            let parser = try Parser(yaml: text, resolver: .basic)
            let decoder = JSONDecoder()
            try withExtendedLifetime(parser) {
                // Bounded by the file: each call consumes one document or throws.
                while let root = try parser.nextRoot() {
                    readDocument(root, decoder: decoder, into: &result)
                }
            }
        } catch let error as YamlError {
            let (message, line) = Self.describe(error)
            fileFailed(message, line: line, in: &result)
        } catch {
            fileFailed("invalid YAML: \(error)", line: 1, in: &result)
        }
        return result
    }

    /// Records a failure that stops reading the file. Documents before it have been read; the
    /// file is marked unreadable so that a watcher keeps whatever it yielded before.
    private func fileFailed(_ message: String, line: Int, in result: inout ManifestFileResult) {
        result.items.append(.problem(ManifestProblem(key: nil, error: SourceError(origin: .file(path: path, line: line), message: message))))
        result.isUnreadable = true
    }

    private func readDocument(_ root: Node, decoder: JSONDecoder, into result: inout ManifestFileResult) {
        let line = root.mark?.line ?? 1
        guard case .mapping = root else {
            if ResolvedScalar.isNull(root) {
                return  // an empty document, as between `---` separators
            }
            problem(nil, line: line, field: "", "expected a Kubernetes object (a mapping with apiVersion and kind), found \(DecodingFailure.describe(root))", into: &result)
            return
        }
        let kind = root.fieldText("kind")
        guard let kind, kind.hasSuffix("List"), ResourceKind(rawValue: kind) == nil else {
            readObject(root, defaults: nil, decoder: decoder, into: &result)
            return
        }
        // `kind: List`, or a typed list such as `IngressList` as `kubectl get -o yaml` writes it,
        // whose items may omit kind and apiVersion.
        guard let items = root.field("items") else {
            if kind == "List" {
                problem(nil, line: line, field: "items", "missing required field \"items\"", into: &result)
            } else {
                result.ignoredDocuments += 1
            }
            return
        }
        guard case .sequence(let sequence) = items else {
            problem(nil, line: items.mark?.line ?? line, field: "items", "expected a list, found \(DecodingFailure.describe(items))", into: &result)
            return
        }
        let defaults: ObjectDefaults? =
            kind == "List" ? nil : ObjectDefaults(kind: String(kind.dropLast("List".count)), apiVersion: root.fieldText("apiVersion"))
        for item in sequence {
            guard case .mapping = item else {
                problem(nil, line: item.mark?.line ?? line, field: "", "expected a Kubernetes object (a mapping with apiVersion and kind), found \(DecodingFailure.describe(item))", into: &result)
                continue
            }
            readObject(item, defaults: defaults, decoder: decoder, into: &result)
        }
    }

    /// What a typed List lends its items.
    private struct ObjectDefaults {
        var kind: String
        var apiVersion: String?
    }

    private func readObject(_ node: Node, defaults: ObjectDefaults?, decoder: JSONDecoder, into result: inout ManifestFileResult) {
        let line = node.mark?.line ?? 1
        guard let kindName = node.fieldText("kind") ?? defaults?.kind else {
            problem(nil, line: line, field: "", "missing required field \"kind\"", into: &result)
            return
        }
        guard let kind = ResourceKind(rawValue: kindName) else {
            result.ignoredDocuments += 1
            return
        }
        let key = Self.readableKey(of: node, kind: kind)
        guard let apiVersion = node.fieldText("apiVersion") ?? defaults?.apiVersion else {
            problem(key, line: line, field: "", "missing required field \"apiVersion\"", into: &result)
            return
        }
        guard kind.apiVersions.contains(apiVersion) else {
            let supported = kind.apiVersions.sorted().joined(separator: " or ")
            problem(
                key, line: node.field("apiVersion")?.mark?.line ?? line, field: "apiVersion",
                "\(kind) \(apiVersion) is not supported; use \(supported)", into: &result)
            return
        }
        let json: [UInt8]
        do {
            json = try NodeJSONWriter.json(node)
        } catch {
            problem(key, line: error.line, field: "", error.message, into: &result)
            return
        }
        let resource: Resource
        do {
            resource = try Self.decode(kind, apiVersion: apiVersion, from: Data(json), decoder: decoder)
        } catch {
            let failure = DecodingFailure(error, root: node, fallbackLine: line)
            problem(key, line: failure.line, field: failure.field, failure.message, into: &result)
            return
        }
        guard let name = resource.metadata.name, !name.isEmpty else {
            let metadataLine = node.field("metadata")?.mark?.line ?? line
            problem(nil, line: metadataLine, field: "metadata", "missing required field \"name\"", into: &result)
            return
        }
        result.items.append(.resource(SourcedResource(resource, origin: .file(path: path, line: line))))
    }

    private func problem(_ key: ObjectKey?, line: Int, field: String, _ message: String, into result: inout ManifestFileResult) {
        result.items.append(.problem(ManifestProblem(key: key, error: SourceError(origin: .file(path: path, line: line), field: field, message: message))))
    }

    /// Decodes a known kind. `apiVersion` and `kind` are set from what was resolved, so that an
    /// item of a typed List (which omits them) equals the same object written on its own.
    private static func decode(_ kind: ResourceKind, apiVersion: String, from json: Data, decoder: JSONDecoder) throws -> Resource {
        func decode<T: Decodable>(_ type: T.Type, _ apiVersionField: WritableKeyPath<T, String?>, _ kindField: WritableKeyPath<T, String?>) throws -> T {
            var object = try decoder.decode(type, from: json)
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
        let metadata = node.field("metadata")
        guard let name = metadata?.fieldText("name"), !name.isEmpty else { return nil }
        var namespace = ""
        if kind.isNamespaced {
            if let namespaceNode = metadata?.field("namespace"), case .scalar(let scalar) = namespaceNode, !ResolvedScalar.isNull(namespaceNode) {
                namespace = scalar.string
            } else {
                namespace = "default"
            }
        }
        return ObjectKey(kind: kind, namespace: namespace, name: name)
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
