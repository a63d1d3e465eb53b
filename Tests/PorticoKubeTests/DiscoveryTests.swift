import Foundation
import PorticoKube
import Testing

@Suite("Finding the API server")
struct DiscoveryTests {
    private func kubeconfig(server: String) -> String {
        """
        current-context: c
        clusters: [{name: k, cluster: {server: "\(server)"}}]
        contexts: [{name: c, context: {cluster: k, user: u}}, {name: other, context: {cluster: k}}]
        users: [{name: u, user: {token: t}}]
        """
    }

    private let pod = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test func theOrderIsFlagThenPodThenKUBECONFIGThenHome() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let flag = try folder.write("flag", kubeconfig(server: "https://flag:6443"))
        let variable = try folder.write("variable", kubeconfig(server: "https://variable:6443"))
        try folder.write("home/.kube/config", kubeconfig(server: "https://home:6443"))
        try folder.write("sa/ca.crt", "CA")
        try folder.write("sa/token", "t")
        let sa = folder.path + "/sa"
        let everything = pod.merging(["KUBECONFIG": variable, "HOME": folder.path + "/home"]) { $1 }

        func server(_ kubeconfig: String?, _ context: String? = nil, _ environment: [String: String]) throws -> String {
            try KubeClientConfiguration.discover(kubeconfig: kubeconfig, context: context, environment: environment, serviceAccountDirectory: sa).server
        }

        #expect(try server(flag, nil, everything) == "https://flag:6443")
        #expect(try server(nil, nil, everything) == "https://10.96.0.1:443")
        #expect(try server(nil, "other", everything) == "https://variable:6443")
        #expect(try server(nil, nil, ["KUBECONFIG": variable, "HOME": folder.path + "/home"]) == "https://variable:6443")
        #expect(try server(nil, nil, ["HOME": folder.path + "/home"]) == "https://home:6443")
    }

    @Test func nothingFoundSaysWhatWasTried() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }

        let error = try #require(throws: KubeAPIError.self) {
            try KubeClientConfiguration.discover(kubeconfig: nil, context: nil, environment: ["HOME": folder.path])
        }
        #expect(error.kind == .configuration)
        #expect(error.message.contains("pass --kubeconfig PATH"))

        let merged = try #require(throws: KubeAPIError.self) {
            try KubeClientConfiguration.discover(kubeconfig: nil, context: nil, environment: ["KUBECONFIG": "/a:/b"])
        }
        #expect(merged.message.contains("does not merge them"))
    }
}
