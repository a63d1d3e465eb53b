import Foundation
import PorticoTestAPIServer
import PorticoTestSupport
import Testing

func ingress(_ name: String, namespace: String = "default", host: String = "a.example", labels: [String: JSONValue] = [:]) -> JSONValue {
    [
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)],
        "spec": ["rules": [["host": .string(host)]]],
    ]
}

func resourceVersion(_ object: JSONValue?) -> Int? {
    object?["metadata"]?["resourceVersion"]?.stringValue.flatMap { Int($0) }
}

@Suite("TestAPIServer objects, lists and Status answers over TLS")
struct TestAPIServerTests {
    @Test func listServesAListKindWithTheGlobalResourceVersion() async throws {
        try await withServer(token: "t") { server in
            try server.apply(ingress("b"))
            try server.apply(ingress("a", namespace: "other"))
            try server.apply(ingress("c"))

            let all = try await Curl(server).get("/apis/networking.k8s.io/v1/ingresses")
            #expect(all.status == 200)
            #expect(all.header("content-type") == "application/json")
            let list = try #require(all.json)
            #expect(list["kind"] == "IngressList")
            #expect(list["apiVersion"] == "networking.k8s.io/v1")
            #expect(list["metadata"]?["resourceVersion"] == .string(String(server.resourceVersion)))
            let items = try #require(list["items"]?.arrayValue)
            #expect(items.compactMap { $0["metadata"]?["namespace"]?.stringValue } == ["default", "default", "other"])
            #expect(items.compactMap { $0["metadata"]?["name"]?.stringValue } == ["b", "c", "a"])
            #expect(items.allSatisfy { $0["kind"] == nil && $0["metadata"]?["uid"] != nil })

            let namespaced = try await Curl(server).get("/apis/networking.k8s.io/v1/namespaces/default/ingresses")
            #expect(namespaced.json?["items"]?.arrayValue?.count == 2)

            let one = try await Curl(server).get("/apis/networking.k8s.io/v1/namespaces/other/ingresses/a")
            #expect(one.status == 200)
            #expect(one.json?["kind"] == "Ingress")
            #expect(one.json?["spec"]?["rules"] == [["host": "a.example"]])
        }
    }

    @Test func everyWriteBumpsOneCounterAndStampsIt() async throws {
        try await withServer(token: "t") { server in
            let start = server.resourceVersion
            let created = try server.create(ingress("web"))
            #expect(resourceVersion(created) == start + 1)
            #expect(created["metadata"]?["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(created["metadata"]?["generation"] == 1)
            var changed = created
            changed["spec"] = ["rules": [["host": "b.example"]]]
            let updated = try server.update(changed)
            #expect(resourceVersion(updated) == start + 2)
            #expect(updated["metadata"]?["generation"] == 2)
            #expect(updated["metadata"]?["uid"] == created["metadata"]?["uid"])
            // An update that changes nothing writes nothing, as on a real server.
            let unchanged = try server.update(updated)
            #expect(resourceVersion(unchanged) == start + 2)
            #expect(server.resourceVersion == start + 2)
            let deleted = try server.delete(.ingresses, namespace: "default", name: "web")
            #expect(resourceVersion(deleted) == start + 3)
            #expect(server.object(.ingresses, name: "web") == nil)
        }
    }

    @Test func missingOrWrongTokenIsUnauthorizedAndTokensRotate() async throws {
        try await withServer(token: "old") { server in
            let path = "/api/v1/namespaces/default/services"
            let missing = try await Curl(server, token: nil).get(path)
            #expect(missing.status == 401)
            #expect(missing.json?["kind"] == "Status")
            #expect(missing.json?["reason"] == "Unauthorized")
            #expect(missing.json?["code"] == 401)
            #expect(try await Curl(server, token: "wrong").get(path).status == 401)
            #expect(try await Curl(server, token: "old").get(path).status == 200)

            server.setTokens(["new": TestAPIServer.defaultUser])
            #expect(try await Curl(server, token: "old").get(path).status == 401)
            #expect(try await Curl(server, token: "new").get(path).status == 200)
            #expect(server.requests.last?.user == TestAPIServer.defaultUser)
        }
    }

    @Test func deniedVerbIsForbiddenWithTheRealMessage() async throws {
        try await withServer(token: "t") { server in
            server.deny(AccessRule(verb: "list", resource: "ingresses", group: "networking.k8s.io"))
            let answer = try await Curl(server).get("/apis/networking.k8s.io/v1/ingresses")
            #expect(answer.status == 403)
            #expect(answer.json?["reason"] == "Forbidden")
            #expect(
                answer.json?["message"]
                    == """
                    ingresses.networking.k8s.io is forbidden: User "system:serviceaccount:portico:portico" cannot list resource \
                    "ingresses" in API group "networking.k8s.io" at the cluster scope
                    """
            )
            server.deny(AccessRule(verb: "update", resource: "ingresses/status"))
            try server.apply(ingress("web"))
            let status = try await Curl(server).send("PUT", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status", json: ingress("web"))
            #expect(status.status == 403)
            #expect(
                status.json?["message"]
                    == """
                    ingresses.networking.k8s.io "web" is forbidden: User "system:serviceaccount:portico:portico" cannot update \
                    resource "ingresses/status" in API group "networking.k8s.io" in the namespace "default"
                    """
            )
            #expect(try await Curl(server).get("/apis/networking.k8s.io/v1/namespaces/default/ingresses/web").status == 200)
            server.allowAll()
            #expect(try await Curl(server).get("/apis/networking.k8s.io/v1/ingresses").status == 200)
        }
    }

    @Test func notFoundAlreadyExistsAndConflictAreStatusObjects() async throws {
        try await withServer(token: "t") { server in
            let base = "/apis/coordination.k8s.io/v1/namespaces/portico/leases"
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": "portico-leader", "namespace": "portico"],
                "spec": ["holderIdentity": "a", "leaseDurationSeconds": 15],
            ]
            let missing = try await Curl(server).get(base + "/portico-leader")
            #expect(missing.status == 404)
            #expect(missing.json?["reason"] == "NotFound")
            #expect(missing.json?["message"] == #"leases.coordination.k8s.io "portico-leader" not found"#)

            let created = try await Curl(server).send("POST", base, json: lease)
            #expect(created.status == 201)
            let again = try await Curl(server).send("POST", base, json: lease)
            #expect(again.status == 409)
            #expect(again.json?["reason"] == "AlreadyExists")
            #expect(again.json?["details"]?["name"] == "portico-leader")

            var renewed = try #require(created.json)
            renewed["spec"]?["holderIdentity"] = "b"
            let first = try await Curl(server).send("PUT", base + "/portico-leader", json: renewed)
            #expect(first.status == 200)
            #expect(first.json?["spec"]?["holderIdentity"] == "b")
            // The same resourceVersion again is now stale: the other candidate loses.
            renewed["spec"]?["holderIdentity"] = "c"
            let stale = try await Curl(server).send("PUT", base + "/portico-leader", json: renewed)
            #expect(stale.status == 409)
            #expect(stale.json?["reason"] == "Conflict")
            #expect(server.object(.leases, namespace: "portico", name: "portico-leader")?["spec"]?["holderIdentity"] == "b")

            let absent = try await Curl(server).send("PUT", base + "/nobody", json: ["metadata": ["name": "nobody"]])
            #expect(absent.status == 404)
            #expect(try await Curl(server).get("/apis/example.com/v1/widgets").status == 404)
        }
    }

    @Test func statusSubresourceChangesOnlyStatusAndIsCounted() async throws {
        try await withServer(token: "t") { server in
            let stored = try server.apply(ingress("web"))
            var body = stored
            body["spec"] = ["rules": []]
            body["status"] = ["loadBalancer": ["ingress": [["ip": "10.0.0.1"]]]]
            let path = "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status"
            let answer = try await Curl(server).send("PUT", path, json: body)
            #expect(answer.status == 200)
            let after = try #require(server.object(.ingresses, name: "web"))
            #expect(after["status"]?["loadBalancer"]?["ingress"] == [["ip": "10.0.0.1"]])
            #expect(after["spec"] == stored["spec"])
            #expect(server.requests(verb: "update", resource: "ingresses/status", name: "web").count == 1)
            #expect(server.writes.count == 1)
            #expect(server.writes.first?.body?["status"] != nil)

            // A PUT of the main resource keeps the stored status.
            var main = after
            main["status"] = nil
            main["metadata"]?["labels"] = ["team": "x"]
            let replaced = try await Curl(server).send("PUT", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web", json: main)
            #expect(replaced.status == 200)
            #expect(replaced.json?["status"] == after["status"])
            #expect(replaced.json?["metadata"]?["labels"] == ["team": "x"])
        }
    }

    @Test func mergePatchAndCreateWithGenerateName() async throws {
        try await withServer(token: "t") { server in
            try server.apply(ingress("web", labels: ["a": "1", "b": "2"]))
            let patched = try await Curl(server).send(
                "PATCH",
                "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web",
                json: ["metadata": ["labels": ["a": .null, "c": "3"]]],
                contentType: "application/merge-patch+json"
            )
            #expect(patched.status == 200)
            #expect(patched.json?["metadata"]?["labels"] == ["b": "2", "c": "3"])
            let jsonPatch = try await Curl(server).send(
                "PATCH", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web", json: [], contentType: "application/json-patch+json"
            )
            #expect(jsonPatch.status == 415)

            let event: JSONValue = [
                "apiVersion": "v1", "kind": "Event",
                "metadata": ["generateName": "web."],
                "reason": "Sync", "message": "Ingress synced", "type": "Normal",
                "involvedObject": ["kind": "Ingress", "name": "web", "namespace": "default"],
            ]
            let created = try await Curl(server).send("POST", "/api/v1/namespaces/default/events", json: event)
            #expect(created.status == 201)
            let name = try #require(created.json?["metadata"]?["name"]?.stringValue)
            #expect(name.hasPrefix("web.") && name.count == "web.".count + 5)
            #expect(created.json?["metadata"]?["namespace"] == "default")
            #expect(server.objects(.events, namespace: "default").count == 1)
        }
    }

    @Test func writesMustBeJSONWithoutAResourceVersionOnCreate() async throws {
        try await withServer { server in
            let path = "/api/v1/namespaces/default/configmaps"
            let configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["k": "v"]]
            let form = try await Curl(server).run("POST", path, body: configMap.serializedString, contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
            #expect(form.json?["reason"] == "UnsupportedMediaType")
            var stamped = configMap
            stamped["metadata"]?["resourceVersion"] = "5"
            let withVersion = try await Curl(server).send("POST", path, json: stamped)
            #expect(withVersion.status == 500)
            #expect(withVersion.json?["message"] == "Internal error occurred: resourceVersion should not be set on objects to be created")
            #expect(try await Curl(server).send("POST", path, json: configMap).status == 201)
            #expect(server.requests.last?.headers["user-agent"]?.hasPrefix("curl/") == true)
            #expect(server.requests.last?.headers["content-type"] == "application/json")
            #expect(await server.wait { $0.writes.count == 3 })
        }
    }

    @Test func expectContinueIsAnsweredSoTheBodyIsSentAtOnce() async throws {
        try await withServer { server in
            var curl = Curl(server)
            // Without a 100 Continue, curl would wait 30 s before sending and hit --max-time.
            curl.extraArguments = ["-H", "Expect: 100-continue", "--expect100-timeout", "30"]
            let configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"], "data": ["k": .string(String(repeating: "x", count: 4096))]]
            let answer = try await curl.run("POST", "/api/v1/namespaces/default/configmaps", body: configMap.serializedString, maxTime: 10)
            #expect(answer.exitCode == 0)
            #expect(answer.status == 201)
            #expect(server.object(.configMaps, name: "big")?["data"]?["k"]?.stringValue?.count == 4096)
        }
    }

    @Test func selectorsFilterLists() async throws {
        try await withServer(token: "t") { server in
            for (name, type) in [("tls", "kubernetes.io/tls"), ("opaque", "Opaque")] {
                try server.apply(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)], "type": .string(type)])
            }
            try server.apply(ingress("one", labels: ["app": "web", "tier": "edge"]))
            try server.apply(ingress("two", labels: ["app": "api"]))
            let names = { (result: Curl.Result) in result.json?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? [] }
            #expect(names(try await Curl(server).get("/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls")) == ["tls"])
            #expect(names(try await Curl(server).get("/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dopaque")) == ["opaque"])
            #expect(names(try await Curl(server).get("/apis/networking.k8s.io/v1/ingresses?labelSelector=app%3Dweb")) == ["one"])
            #expect(names(try await Curl(server).get("/apis/networking.k8s.io/v1/ingresses?labelSelector=app%20in%20(web,api),!tier")) == ["two"])
            #expect(try await Curl(server).get("/apis/networking.k8s.io/v1/ingresses?labelSelector=a%20in%20x").status == 400)
        }
    }

    @Test func pagesAreOneConsistentSnapshotAndExpireWithCompaction() async throws {
        try await withServer(token: "t") { server in
            for index in 0..<5 { try server.apply(ingress("ing-\(index)")) }
            let base = "/apis/networking.k8s.io/v1/namespaces/default/ingresses?limit=2"
            let first = try #require(try await Curl(server).get(base).json)
            let listVersion = first["metadata"]?["resourceVersion"]
            #expect(first["items"]?.arrayValue?.count == 2)
            #expect(first["metadata"]?["remainingItemCount"] == 3)
            let token = try #require(first["metadata"]?["continue"]?.stringValue)

            // Changes after the first page do not show on later pages.
            try server.delete(.ingresses, name: "ing-3")
            try server.apply(ingress("ing-9"))
            var names = first["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            var next: String? = token
            var pages = 1
            while let current = next, pages < 10 {
                let page = try #require(try await Curl(server).get(base + "&continue=" + percentEncoded(current)).json)
                #expect(page["metadata"]?["resourceVersion"] == listVersion)
                names += page["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
                next = page["metadata"]?["continue"]?.stringValue
                pages += 1
            }
            #expect(names == ["ing-0", "ing-1", "ing-2", "ing-3", "ing-4"])
            #expect(pages == 3)

            server.compact()
            let expired = try await Curl(server).get(base + "&continue=" + percentEncoded(token))
            #expect(expired.status == 410)
            #expect(expired.json?["reason"] == "Expired")
        }
    }

    @Test func faultsAnswerInsteadOfServing() async throws {
        try await withServer(token: "t") { server in
            server.failNextRequests(2, with: .tooManyRequests(retryAfterSeconds: 3), pathPrefix: "/apis/networking.k8s.io")
            server.failNextRequests(1, with: .internalError)
            let path = "/apis/networking.k8s.io/v1/ingresses"
            let throttled = try await Curl(server).get(path)
            #expect(throttled.status == 429)
            #expect(throttled.header("retry-after") == "3")
            #expect(throttled.json?["reason"] == "TooManyRequests")
            #expect(throttled.json?["details"]?["retryAfterSeconds"] == 3)
            #expect(try await Curl(server).get(path).status == 429)
            let failed = try await Curl(server).get("/api/v1/services")
            #expect(failed.status == 500)
            #expect(failed.json?["reason"] == "InternalError")
            #expect(try await Curl(server).get(path).status == 200)
            #expect(try await Curl(server).get("/api/v1/services").status == 200)
            #expect(server.requests.map(\.statusCode) == [429, 429, 500, 200, 200])
            // Answered faults are recorded with their verb, so a test can count a client's retries.
            #expect(server.requests(verb: "list", resource: "ingresses").map(\.statusCode) == [429, 429, 200])
        }
    }

    @Test func delayedRequestOutlastsTheClientTimeout() async throws {
        try await withServer { server in
            server.delayNextRequests(1, by: .seconds(5), pathPrefix: "/api/v1/services")
            let late = try await Curl(server).run("GET", "/api/v1/services", maxTime: 1)
            #expect(late.exitCode == 28)
            #expect(try await Curl(server).get("/api/v1/secrets").status == 200)
            #expect(try await Curl(server).get("/api/v1/services").status == 200)
        }
    }

    @Test func clientVerifyingWithAnotherCAFailsTheHandshake() async throws {
        try await withServer(token: "t") { server in
            var curl = Curl(server)
            curl.caPEM = try TestCertificateAuthority(name: "Some Other CA").certificatePEM
            let answer = try await curl.get("/api/v1/services")
            #expect(answer.exitCode == 60)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func serviceAccountFolderHoldsTokenCAAndNamespace() async throws {
        try await withServer(token: "sa-token") { server in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try server.writeServiceAccount(to: folder, token: "sa-token", namespace: "ingress")
            let read = { (name: String) in try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
            var curl = Curl(server, token: try read("token"))
            curl.caPEM = try read("ca.crt")
            #expect(try await curl.get("/api/v1/namespaces/\(try read("namespace"))/secrets").status == 200)
            #expect(server.serviceEnvironment["KUBERNETES_SERVICE_PORT"] == String(server.port))
            #expect(server.url == "https://\(server.serviceEnvironment["KUBERNETES_SERVICE_HOST"] ?? ""):\(server.port)")
        }
    }

    @Test func clientCertificateCommonNameIsTheUser() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.clientCertificates = true
        try await withServer(configuration: configuration) { server in
            var curl = Curl(server, token: nil)
            #expect(try await curl.get("/api/v1/services").status == 401)
            curl.clientCertificate = try server.authority.issueClientCertificate(user: "portico-controller", groups: ["system:masters"])
            #expect(try await curl.get("/api/v1/services").status == 200)
            #expect(server.requests.last?.user == "portico-controller")
        }
    }
}

/// Runs `body` against a fresh server and shuts the server down, also when `body` throws.
func withServer(
    token: String = "t",
    configuration: TestAPIServer.Configuration = TestAPIServer.Configuration(),
    _ body: (TestAPIServer) async throws -> Void
) async throws {
    let server = try await TestAPIServer.start(token: token, configuration: configuration)
    do {
        try await body(server)
    } catch {
        try await server.shutdown()
        throw error
    }
    try await server.shutdown()
}

func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
}
