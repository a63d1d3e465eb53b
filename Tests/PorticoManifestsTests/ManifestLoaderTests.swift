import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PorticoManifests
import PorticoModel
import PorticoTestSupport
import Testing

@Suite("ManifestLoader")
struct ManifestLoaderTests {
    @Test("multi-document YAML: each document with its own line, empty and unknown ones skipped")
    func multiDocument() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "app.yaml",
            """
            # the web application
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
            spec:
              ports:
                - port: 80
            ---
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            ---
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: portico
              namespace: ignored-for-cluster-scoped
            spec:
              controller: portico.dev/ingress-controller
            """)
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems == [])
        #expect(set.ignoredDocuments == 1)
        let service = try #require(set.resources[ObjectKey(kind: .service, namespace: "shop", name: "web")])
        #expect(service.origin == .file(path: folder.path("app.yaml"), line: 2))
        guard case .service(let decoded) = service.resource else {
            Issue.record("not a service: \(service.resource)")
            return
        }
        #expect(decoded.spec?.ports?.first?.port == 80)
        let ingressClass = try #require(set.resources[ObjectKey(kind: .ingressClass, namespace: "", name: "portico")])
        #expect(ingressClass.origin == .file(path: folder.path("app.yaml"), line: 17))
        #expect(set.resources.count == 2)
    }

    @Test("kind: List and typed lists such as IngressList, whose items omit kind")
    func lists() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "list.yaml",
            """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  mode: fast
              - apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: skipped
            ---
            apiVersion: networking.k8s.io/v1
            kind: IngressList
            metadata:
              resourceVersion: "12"
            items:
              - metadata:
                  name: shop
                  namespace: prod
                spec:
                  ingressClassName: portico
            """)
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems == [])
        #expect(set.ignoredDocuments == 1)
        let configMap = try #require(set.resources[ObjectKey(kind: .configMap, namespace: "default", name: "settings")])
        #expect(configMap.origin == .file(path: folder.path("list.yaml"), line: 4))
        let ingress = try #require(set.resources[ObjectKey(kind: .ingress, namespace: "prod", name: "shop")])
        #expect(ingress.origin == .file(path: folder.path("list.yaml"), line: 20))
        guard case .ingress(let decoded) = ingress.resource else {
            Issue.record("not an ingress: \(ingress.resource)")
            return
        }
        #expect(decoded.apiVersion == "networking.k8s.io/v1")
        #expect(decoded.kind == "Ingress")
        #expect(decoded.spec?.ingressClassName == "portico")
    }

    @Test("JSON files read as YAML, including a List on one line")
    func json() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "objects.json",
            #"""
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls", "namespace": "shop"},
               "type": "kubernetes.io/tls", "data": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}},
              {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
               "metadata": {"name": "web-abc", "labels": {"kubernetes.io/service-name": "web"}},
               "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": true}}],
               "ports": [{"name": "http", "port": 8080}]}
            ]}
            """#)
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems == [])
        let secret = try #require(set.resources[ObjectKey(kind: .secret, namespace: "shop", name: "tls")])
        #expect(secret.origin == .file(path: folder.path("objects.json"), line: 2))
        let slice = try #require(set.resources[ObjectKey(kind: .endpointSlice, namespace: "default", name: "web-abc")])
        guard case .endpointSlice(let decoded) = slice.resource else {
            Issue.record("not a slice: \(slice.resource)")
            return
        }
        #expect(decoded.ports?.first?.port == 8080)
        #expect(decoded.endpoints?.first?.conditions?.ready == true)
    }

    @Test("nested folders are read in sorted path order; hidden files and folders and other extensions are not")
    func nestedAndHidden() throws {
        let folder = try TemporaryFolder()
        try folder.write("b/deep/one.yml", Manifests.service("one"))
        try folder.write("a.yaml", Manifests.service("two"))
        try folder.write("B.JSON", #"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "three"}}"#)
        try folder.write(".hidden.yaml", Manifests.service("hidden-file"))
        try folder.write(".git/config.yaml", Manifests.service("hidden-folder"))
        try folder.write("b/.cache/x.yaml", Manifests.service("hidden-nested"))
        try folder.write("README.md", "not: [a manifest")
        try folder.write("b/notes.txt", "not: [a manifest")
        // A trailing slash in the folder path does not double up in reported paths.
        let set = try ManifestLoader(folder: folder.path + "/").load()
        #expect(set.problems == [])
        let names = set.resources.values.map { ($0.key.name.name, $0.origin.description) }.sorted { $0.0 < $1.0 }
        #expect(names.map(\.0) == ["one", "three", "two"])
        #expect(names.map(\.1) == [folder.path("b/deep/one.yml:1"), folder.path("B.JSON:1"), folder.path("a.yaml:1")])
    }

    @Test("a known kind with another apiVersion is a problem naming it, and keeps its key")
    func wrongAPIVersion() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "old.yaml",
            """
            kind: Ingress
            apiVersion: networking.k8s.io/v1beta1
            metadata:
              name: legacy
            """)
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.resources.isEmpty)
        #expect(
            set.problems == [
                ManifestProblem(
                    key: ObjectKey(kind: .ingress, namespace: "default", name: "legacy"),
                    error: SourceError(
                        origin: .file(path: folder.path("old.yaml"), line: 2), field: "apiVersion",
                        message: "Ingress networking.k8s.io/v1beta1 is not supported; use networking.k8s.io/v1"))
            ])
    }

    @Test("decode errors name file, the offending line and the field path; other documents still load")
    func decodeErrors() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "ingress.yaml",
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: shop
              namespace: prod
            spec:
              rules:
                - host: shop.example.com
                  http:
                    paths:
                      - path: /
                        pathType: [Prefix]
                        backend:
                          service:
                            name: web
                      - path: /api
                        pathType: Prefix
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: api
            spec:
              defaultBackend:
                service:
                  name: api
                  port:
                    number: abc
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: fine
            """)
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(Array(set.resources.keys) == [ObjectKey(kind: .service, namespace: "default", name: "fine")])
        let file = folder.path("ingress.yaml")
        #expect(
            set.problems.map(\.description) == [
                "\(file):12: spec.rules[0].http.paths[0].pathType: expected a string, found a list (Ingress prod/shop)",
                "\(file):28: spec.defaultBackend.service.port.number: expected a whole number, found 'abc' (Ingress default/api)",
            ])
    }

    @Test("a missing required field names its parent's path and line")
    func missingBackend() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "ingress.yaml",
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: shop
            spec:
              rules:
                - http:
                    paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: web
                      - path: /api
                        pathType: Prefix
            """)
        let set = try ManifestLoader(folder: folder.path).load()
        let problem = try #require(set.problems.first)
        #expect(set.problems.count == 1)
        #expect(problem.key == ObjectKey(kind: .ingress, namespace: "default", name: "shop"))
        #expect(problem.error.origin == .file(path: folder.path("ingress.yaml"), line: 14))
        #expect(problem.error.field == "spec.rules[0].http.paths[1]")
        #expect(problem.error.message == #"missing required field "backend""#)
    }

    @Test("a document without a readable name yields a problem without a key")
    func noName() throws {
        let folder = try TemporaryFolder()
        try folder.write("x.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    a: b\nspec:\n  ports: 80\n")
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems.map(\.key) == [nil])
        #expect(set.problems.first?.error.description == "\(folder.path("x.yaml")):7: spec.ports: expected a list, found '80'")
    }

    @Test("a YAML syntax error names file and line; documents before it still load")
    func syntaxError() throws {
        let folder = try TemporaryFolder()
        try folder.write("broken.yaml", Manifests.service("before") + "\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n")
        try folder.write("ok.yaml", Manifests.service("other"))
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(Set(set.resources.keys.map(\.name.name)) == ["before", "other"])
        #expect(set.unreadablePaths == [folder.path("broken.yaml")])
        let problem = try #require(set.problems.first)
        #expect(set.problems.count == 1)
        #expect(problem.key == nil)
        guard case .file(let path, let line) = problem.error.origin else {
            Issue.record("no file origin")
            return
        }
        #expect(path == folder.path("broken.yaml"))
        #expect(line == 15)  // libyaml finds the unclosed list at the end of the file
        #expect(problem.error.message == "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)")
    }

    @Test("the first document with a key wins; the second is a problem naming both places")
    func duplicates() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("web", port: "80"))
        try folder.write("b.yaml", Manifests.service("web", port: "81", namespace: "default"))
        let set = try ManifestLoader(folder: folder.path).load()
        let key = ObjectKey(kind: .service, namespace: "default", name: "web")
        #expect(set.resources[key]?.origin == .file(path: folder.path("a.yaml"), line: 1))
        #expect(
            set.problems == [
                ManifestProblem(
                    key: key,
                    error: SourceError(
                        origin: .file(path: folder.path("b.yaml"), line: 1), field: "metadata.name",
                        message: "duplicate Service default/web: \(folder.path("a.yaml")):1 defines it first and wins"))
            ])
    }

    @Test("a document that is not a mapping, or lacks kind, is a problem")
    func notAnObject() throws {
        let folder = try TemporaryFolder()
        try folder.write("odd.yaml", "just text\n---\nmetadata:\n  name: x\n")
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(
            set.problems.map(\.error.description) == [
                "\(folder.path("odd.yaml")):1: expected a Kubernetes object (a mapping with apiVersion and kind), found 'just text'",
                "\(folder.path("odd.yaml")):3: missing required field \"kind\"",
            ])
    }

    @Test("a FIFO named like a manifest is not read (reading it would block)")
    func fifoSkipped() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.yaml", Manifests.service("a"))
        #expect(mkfifo(folder.path("pipe.yaml"), 0o600) == 0)
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems == [])
        #expect(Array(set.resources.keys) == [ObjectKey(kind: .service, namespace: "default", name: "a")])
    }

    @Test("a symlinked file is read through the link under the link's path")
    func symlinks() throws {
        let folder = try TemporaryFolder()
        try folder.write(".data/a.yaml", Manifests.service("a"))
        try FileManager.default.createSymbolicLink(atPath: folder.path("a.yaml"), withDestinationPath: ".data/a.yaml")
        try FileManager.default.createSymbolicLink(atPath: folder.path("dangling.yaml"), withDestinationPath: "nowhere.yaml")
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems == [])
        #expect(set.resources.values.map(\.origin) == [.file(path: folder.path("a.yaml"), line: 1)])
    }

    @Test("a symlink loop is read once, without duplicates")
    func symlinkLoop() throws {
        let folder = try TemporaryFolder()
        try folder.write("team/a.yaml", Manifests.service("a"))
        try FileManager.default.createSymbolicLink(atPath: folder.path("team/again"), withDestinationPath: "..")
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems == [])
        #expect(set.resources.values.map(\.origin) == [.file(path: folder.path("team/a.yaml"), line: 1)])
    }

    @Test("a key written twice in one mapping is a YAML error at the first of them")
    func duplicateMappingKey() throws {
        let folder = try TemporaryFolder()
        try folder.write("dup.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n")
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.resources.isEmpty)
        #expect(set.problems.map(\.error.description) == ["\(folder.path("dup.yaml")):4: invalid YAML: duplicate key \"name\" in one mapping"])
    }

    @Test("a missing folder or a file in its place is thrown, naming the path")
    func unreadableFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("file.yaml", Manifests.service("web"))
        #expect(throws: ManifestFolderError.missing(path: folder.path("nope"))) {
            try ManifestLoader(folder: folder.path("nope")).load()
        }
        #expect(throws: ManifestFolderError.notAFolder(path: folder.path("file.yaml"))) {
            try ManifestLoader(folder: folder.path("file.yaml")).load()
        }
        #expect(ManifestFolderError.missing(path: "/x").description == "manifest folder /x does not exist")
    }
}
