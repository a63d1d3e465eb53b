import Foundation
import Yams

/// Files of the repository checkout the tests run in, and YAML documents decoded from them.
enum Repository {
    /// The checkout's root: this file is `Tests/PorticoDeployTests/Repository.swift`.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }

    /// Every document of a multi-document YAML file, as nodes (empty documents skipped).
    static func documents(_ path: String) throws -> [Node] {
        var sequence = try Yams.compose_all(yaml: text(path))
        var nodes: [Node] = []
        while let node = sequence.next() { nodes.append(node) }
        // The sequence ends at a parse error and keeps it.
        if let error = sequence.error { throw error }
        return nodes
    }

    /// The documents of `path` whose `kind` is `kind`, decoded as `T`.
    static func objects<T: Decodable>(_ type: T.Type, kind: String, in path: String) throws -> [T] {
        try documents(path)
            .filter { $0["kind"]?.string == kind }
            .map { try YAMLDecoder().decode(T.self, from: $0) }
    }

    /// A copy of the given files in a new temporary folder, for `ManifestLoader` (which reads a
    /// folder recursively, and `manifests/` holds the examples too).
    static func temporaryFolder(copying paths: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portico-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for path in paths {
            try FileManager.default.copyItem(at: url(path), to: folder.appendingPathComponent(url(path).lastPathComponent))
        }
        return folder
    }
}

/// The fields of Kubernetes objects the tests check; PorticoModel has no types for these kinds
/// because Portico never reads them. Decoding ignores every other field.
enum K8s {
    struct Metadata: Decodable, Equatable {
        /// Absent in pod templates.
        var name: String?
        var namespace: String?
        var labels: [String: String]?
        var annotations: [String: String]?
    }

    struct Object: Decodable {
        var apiVersion: String
        var kind: String
        var metadata: Metadata
    }

    struct PolicyRule: Decodable, Hashable {
        var apiGroups: [String]
        var resources: [String]
        var verbs: [String]
        var resourceNames: [String]?
    }

    struct Role: Decodable {
        var metadata: Metadata
        var rules: [PolicyRule]
    }

    struct Binding: Decodable {
        struct RoleRef: Decodable, Equatable {
            var apiGroup: String
            var kind: String
            var name: String
        }
        struct Subject: Decodable, Equatable {
            var kind: String
            var name: String
            var namespace: String?
        }
        var metadata: Metadata
        var roleRef: RoleRef
        var subjects: [Subject]
    }

    struct LabelSelector: Decodable, Equatable {
        var matchLabels: [String: String]?
    }

    struct Deployment: Decodable {
        struct Spec: Decodable {
            var replicas: Int
            var selector: LabelSelector
            var template: PodTemplate
        }
        var metadata: Metadata
        var spec: Spec
    }

    struct PodTemplate: Decodable {
        var metadata: Metadata?
        var spec: PodSpec
    }

    struct PodSpec: Decodable {
        struct SecurityContext: Decodable {
            var runAsNonRoot: Bool?
            var runAsUser: Int?
            var seccompProfile: SeccompProfile?
        }
        struct Affinity: Decodable {
            struct PodAntiAffinity: Decodable {
                struct Term: Decodable {
                    struct PodAffinityTerm: Decodable {
                        var topologyKey: String
                        var labelSelector: LabelSelector
                    }
                    var weight: Int
                    var podAffinityTerm: PodAffinityTerm
                }
                var preferredDuringSchedulingIgnoredDuringExecution: [Term]?
                var requiredDuringSchedulingIgnoredDuringExecution: [Term.PodAffinityTerm]?
            }
            var podAntiAffinity: PodAntiAffinity?
        }
        var serviceAccountName: String?
        var terminationGracePeriodSeconds: Int?
        var securityContext: SecurityContext?
        var affinity: Affinity?
        var containers: [Container]
    }

    struct SeccompProfile: Decodable, Equatable {
        var type: String
    }

    struct Container: Decodable {
        struct Port: Decodable, Equatable {
            var name: String
            var containerPort: Int
        }
        struct EnvVar: Decodable {
            struct Source: Decodable {
                struct FieldRef: Decodable { var fieldPath: String }
                var fieldRef: FieldRef?
            }
            var name: String
            var valueFrom: Source?
        }
        struct Probe: Decodable {
            struct HTTPGet: Decodable {
                var path: String
                var port: Port
                enum Port: Decodable, Equatable {
                    case number(Int)
                    case name(String)
                    init(from decoder: any Decoder) throws {
                        let container = try decoder.singleValueContainer()
                        if let number = try? container.decode(Int.self) {
                            self = .number(number)
                        } else {
                            self = .name(try container.decode(String.self))
                        }
                    }
                }
            }
            var httpGet: HTTPGet
        }
        struct Resources: Decodable, Equatable {
            var requests: [String: String]?
            var limits: [String: String]?
        }
        struct SecurityContext: Decodable {
            struct Capabilities: Decodable { var drop: [String]?; var add: [String]? }
            var allowPrivilegeEscalation: Bool?
            var readOnlyRootFilesystem: Bool?
            var runAsNonRoot: Bool?
            var privileged: Bool?
            var capabilities: Capabilities?
        }
        var name: String
        var image: String
        var args: [String]?
        var env: [EnvVar]?
        var ports: [Port]
        var livenessProbe: Probe?
        var readinessProbe: Probe?
        var resources: Resources?
        var securityContext: SecurityContext?
    }

    struct PodDisruptionBudget: Decodable {
        struct Spec: Decodable {
            var minAvailable: Int?
            var maxUnavailable: Int?
            var selector: LabelSelector
        }
        var metadata: Metadata
        var spec: Spec
    }

    /// The Service fields PorticoModel's `Service` does not carry.
    struct ServiceSpecExtras: Decodable {
        struct Spec: Decodable {
            var externalTrafficPolicy: String?
            var selector: [String: String]?
        }
        var spec: Spec
    }
}
