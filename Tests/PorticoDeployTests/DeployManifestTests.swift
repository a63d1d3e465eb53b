import Foundation
import PorticoManifests
import PorticoModel
import PorticoTestSupport
import Testing
import Yams

/// `manifests/deploy.yaml`: the kinds Portico reads go through its own manifest loader; the
/// others are decoded with `K8s` structs of exactly the fields checked.
@Suite("manifests/deploy.yaml")
struct DeployManifestTests {
    static let path = "manifests/deploy.yaml"
    static let labels = ["app.kubernetes.io/name": "portico", "app.kubernetes.io/component": "controller"]

    @Test func holdsExactlyTheObjectsOfAnInstallation() throws {
        let all = try Repository.documents(Self.path).map { try YAMLDecoder().decode(K8s.Object.self, from: $0) }
        let kinds = all.map { "\($0.kind)/\($0.metadata.name ?? "?")" }
        #expect(kinds == [
            "Namespace/portico", "ServiceAccount/portico", "ClusterRole/portico", "ClusterRoleBinding/portico",
            "Role/portico-leader-election", "RoleBinding/portico-leader-election", "ConfigMap/portico-controller",
            "IngressClass/portico", "Deployment/portico", "Service/portico", "PodDisruptionBudget/portico",
        ])
        for object in all where !["Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass"].contains(object.kind) {
            #expect(object.metadata.namespace == "portico", "\(object.kind) \(object.metadata.name ?? "?")")
        }
    }

    @Test func theKindsPorticoReadsLoadWithItsOwnLoader() throws {
        let folder = try Repository.temporaryFolder(copying: [Self.path])
        defer { try? FileManager.default.removeItem(at: folder) }
        let set = try ManifestLoader(folder: folder.path).load()
        #expect(set.problems.isEmpty, "\(set.problems)")

        let ingressClass = try #require(set.resources[ObjectKey(kind: .ingressClass, namespace: "", name: "portico")])
        guard case .ingressClass(let object) = ingressClass.resource else { Issue.record("not an IngressClass"); return }
        #expect(object.spec?.controller == "portico.dev/ingress-controller")

        let service = try #require(set.resources[ObjectKey(kind: .service, namespace: "portico", name: "portico")])
        guard case .service(let svc) = service.resource else { Issue.record("not a Service"); return }
        #expect(svc.spec?.type == "LoadBalancer")
        let ports = (svc.spec?.ports ?? []).map { "\($0.port)->\($0.targetPort.map { "\($0)" } ?? "-")" }
        #expect(ports == ["80->8080", "443->8443"])
        let extras = try #require(Repository.objects(K8s.ServiceSpecExtras.self, kind: "Service", in: Self.path).first)
        #expect(extras.spec.selector == Self.labels)

        #expect(set.resources[ObjectKey(kind: .configMap, namespace: "portico", name: "portico-controller")] != nil)
    }

    /// Least privilege: exactly these rules, nothing more (no v1 Endpoints: the controller
    /// watches EndpointSlices; no wildcards; status update only).
    @Test func clusterRoleGrantsExactlyWhatTheControllerUses() throws {
        let role = try #require(Repository.objects(K8s.Role.self, kind: "ClusterRole", in: Self.path).first)
        #expect(Set(role.rules) == Self.clusterRules)
        #expect(role.rules.count == Self.clusterRules.count)
        for rule in role.rules {
            #expect(!rule.verbs.contains("*") && !rule.resources.contains("*") && !rule.apiGroups.contains("*"))
            #expect(!rule.resources.contains("endpoints"))
        }
    }

    static let clusterRules: Set<K8s.PolicyRule> = [
        .init(apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingressclasses"], verbs: ["get", "list", "watch"]),
        .init(apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["update"]),
        .init(apiGroups: [""], resources: ["services", "secrets", "configmaps"], verbs: ["get", "list", "watch"]),
        .init(apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"]),
        .init(apiGroups: [""], resources: ["events"], verbs: ["create", "patch"]),
    ]

    static let leaseRules: Set<K8s.PolicyRule> = [
        .init(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"]),
        .init(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update"], resourceNames: ["portico-leader"]),
    ]

    @Test func roleGrantsTheElectionLeaseOnlyInItsNamespace() throws {
        let role = try #require(Repository.objects(K8s.Role.self, kind: "Role", in: Self.path).first)
        #expect(role.metadata.namespace == "portico")
        #expect(Set(role.rules) == Self.leaseRules)
        let deployment = try Self.deployment()
        let args = try #require(deployment.spec.template.spec.containers.first?.args)
        #expect(args.contains("--election-id=portico-leader"))
    }

    @Test func bindingsGiveBothRolesToTheServiceAccount() throws {
        let subject = K8s.Binding.Subject(kind: "ServiceAccount", name: "portico", namespace: "portico")
        let cluster = try #require(Repository.objects(K8s.Binding.self, kind: "ClusterRoleBinding", in: Self.path).first)
        #expect(cluster.roleRef == .init(apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "portico"))
        #expect(cluster.subjects == [subject])
        let local = try #require(Repository.objects(K8s.Binding.self, kind: "RoleBinding", in: Self.path).first)
        #expect(local.metadata.namespace == "portico")
        #expect(local.roleRef == .init(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "portico-leader-election"))
        #expect(local.subjects == [subject])
        #expect(try Self.deployment().spec.template.spec.serviceAccountName == "portico")
    }

    static func deployment(_ path: String = path) throws -> K8s.Deployment {
        try #require(Repository.objects(K8s.Deployment.self, kind: "Deployment", in: path).first)
    }

    @Test func deploymentRunsTwoSpreadReplicasWithTheClusterFlags() throws {
        let deployment = try Self.deployment()
        #expect(deployment.spec.replicas == 2)
        #expect(deployment.spec.selector.matchLabels == Self.labels)
        #expect(deployment.spec.template.metadata?.labels == Self.labels)
        let pod = deployment.spec.template.spec
        let preferred = try #require(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        #expect(preferred.map(\.podAffinityTerm.topologyKey) == ["kubernetes.io/hostname"])
        #expect(preferred.first?.podAffinityTerm.labelSelector.matchLabels == Self.labels)
        #expect(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution == nil)

        let container = try #require(pod.containers.first)
        #expect(pod.containers.count == 1)
        let args = container.args ?? []
        #expect(args.first == "run")
        for flag in ["--ingress-class=portico", "--publish-service=portico/portico", "--configmap=portico/portico-controller"] {
            #expect(args.contains(flag), "missing \(flag)")
        }
        #expect(!args.contains { $0.hasPrefix("--kubeconfig") || $0.hasPrefix("--manifests") })
        let env = Dictionary(uniqueKeysWithValues: (container.env ?? []).map { ($0.name, $0.valueFrom?.fieldRef?.fieldPath) })
        #expect(env["POD_NAME"] == "metadata.name")
        #expect(env["POD_NAMESPACE"] == "metadata.namespace")
    }

    @Test func deploymentPortsAndProbes() throws {
        let container = try #require(try Self.deployment().spec.template.spec.containers.first)
        #expect(container.ports == [.init(name: "http", containerPort: 8080), .init(name: "https", containerPort: 8443), .init(name: "admin", containerPort: 10254)])
        #expect(container.livenessProbe?.httpGet.path == "/healthz")
        #expect(container.readinessProbe?.httpGet.path == "/readyz")
        for probe in [container.livenessProbe, container.readinessProbe] {
            let port = probe?.httpGet.port
            #expect(port == .name("admin") || port == .number(10254))
        }
        let resources = try #require(container.resources)
        #expect(resources.requests?["cpu"] != nil && resources.requests?["memory"] != nil)
        #expect(resources.limits?["memory"] != nil)
    }

    @Test func deploymentIsHardened() throws {
        let pod = try Self.deployment().spec.template.spec
        let podSecurity = try #require(pod.securityContext)
        #expect(podSecurity.runAsNonRoot == true)
        #expect((podSecurity.runAsUser ?? 0) > 0)
        #expect(podSecurity.seccompProfile == .init(type: "RuntimeDefault"))
        let security = try #require(pod.containers.first?.securityContext)
        #expect(security.allowPrivilegeEscalation == false)
        #expect(security.readOnlyRootFilesystem == true)
        #expect(security.privileged != true)
        #expect(security.capabilities?.drop == ["ALL"])
        #expect(security.capabilities?.add == nil)
    }

    /// The pod must outlive the drain delay plus the grace period, else the kubelet's SIGKILL
    /// cuts requests in flight.
    @Test func terminationGracePeriodCoversDrainAndGrace() throws {
        let pod = try Self.deployment().spec.template.spec
        let args = pod.containers.first?.args ?? []
        let drain = try #require(Self.seconds(flag: "--shutdown-drain-delay", in: args))
        let grace = try #require(Self.seconds(flag: "--shutdown-grace-period", in: args))
        #expect(drain > 0)
        #expect(try #require(pod.terminationGracePeriodSeconds) > drain + grace)
    }

    /// Every flag the Deployment passes is a flag of this build's `portico run`, so the pods
    /// start: cluster mode, status, election, the controller ConfigMap and shutdown.
    @Test func everyDeploymentFlagIsAFlagOfPorticoRun() async throws {
        let help = try await PorticoProcess.run(["run", "--help"])
        #expect(help.status == 0)
        let args = try Self.deployment().spec.template.spec.containers.first?.args ?? []
        #expect(args.first == "run")
        let flags = args.dropFirst().map { String($0.prefix { $0 != "=" }) }
        #expect(Set(flags).isSuperset(of: ["--publish-service", "--election-id", "--configmap", "--shutdown-drain-delay", "--shutdown-grace-period"]))
        for flag in flags {
            #expect(flag.hasPrefix("--"), "\(flag) is not a --flag")
            #expect(help.output.contains(flag + " "), "portico run has no \(flag)")
        }
    }

    /// `--flag=Ns` as seconds.
    static func seconds(flag: String, in args: [String]) -> Int? {
        guard let arg = args.first(where: { $0.hasPrefix(flag + "=") }) else { return nil }
        return seconds(String(arg.dropFirst(flag.count + 1)))
    }

    static func seconds(_ text: String) -> Int? {
        if text.hasSuffix("m"), let minutes = Int(text.dropLast()) { return minutes * 60 }
        if text.hasSuffix("s"), let seconds = Int(text.dropLast()) { return seconds }
        return Int(text)
    }

    @Test func podDisruptionBudgetKeepsOnePodUp() throws {
        let budget = try #require(Repository.objects(K8s.PodDisruptionBudget.self, kind: "PodDisruptionBudget", in: Self.path).first)
        #expect(budget.spec.minAvailable == 1)
        #expect(budget.spec.selector.matchLabels == Self.labels)
        #expect(try Self.deployment().spec.replicas > (budget.spec.minAvailable ?? 0))
    }

    @Test func namespaceEnforcesTheRestrictedPodSecurityStandard() throws {
        let namespace = try #require(Repository.objects(K8s.Object.self, kind: "Namespace", in: Self.path).first)
        #expect(namespace.metadata.labels?["pod-security.kubernetes.io/enforce"] == "restricted")
    }
}
