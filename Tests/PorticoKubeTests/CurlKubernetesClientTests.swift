import Foundation
import Logging
import NIOHTTP1
import PorticoKube
import PorticoModel
import PorticoTestSupport
import Synchronization
import Testing

/// The libcurl client against a scripted HTTPS server on loopback: TLS verification, bearer
/// tokens, status mapping and watch streaming through real libcurl.
@Suite("libcurl client against a TLS stub")
struct CurlKubernetesClientTests {
    struct Item: Codable, Sendable, Equatable {
        var name: String
    }

    private static let logger = Logger(label: "portico.kube.test")

    private struct Setup {
        let authority: TestCertificateAuthority
        let server: TLSStubServer
        let client: CurlKubernetesClient

        func close() async throws {
            client.shutdown()
            try await server.close()
        }
    }

    /// Runs `body` with a stub answering through `respond` and a client trusting `trust`
    /// (default: the stub's CA), and closes both however `body` ends.
    private func withStub(
        token: KubeClientConfiguration.BearerToken? = .literal("secret-token"),
        trust: String? = nil,
        insecure: Bool = false,
        logger: Logger = Self.logger,
        respond: @escaping @Sendable (TLSStubServer.Request) -> TLSStubServer.Reply,
        _ body: (Setup) async throws -> Void
    ) async throws {
        let authority = try TestCertificateAuthority()
        let leaf = try authority.issue(commonName: "kube-apiserver", dnsNames: ["localhost"])
        let server = try await TLSStubServer.start(leaf: leaf, respond: respond)
        let configuration = KubeClientConfiguration(
            server: "https://localhost:\(server.port)",
            certificateAuthorityPEM: Data((trust ?? authority.certificatePEM).utf8),
            certificateAuthoritySource: "the test CA",
            bearerToken: token,
            insecureSkipTLSVerify: insecure,
            connectTimeout: .seconds(5),
            requestTimeout: .seconds(20)
        )
        let setup: Setup
        do {
            setup = Setup(authority: authority, server: server, client: try CurlKubernetesClient(configuration: configuration, logger: logger))
        } catch {
            try await server.close()
            throw error
        }
        do {
            try await body(setup)
        } catch {
            try await setup.close()
            throw error
        }
        try await setup.close()
    }

    private static func list(_ names: [String], continueToken: String? = nil) -> String {
        let items = names.map { "{\"name\":\"\($0)\"}" }.joined(separator: ",")
        let next = continueToken.map { ",\"continue\":\"\($0)\"" } ?? ""
        return "{\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"42\"\(next)},\"items\":[\(items)]}"
    }

    @Test func listsOverTLSWithTheBearerToken() async throws {
        try await withStub(respond: { _ in .init(chunks: [Self.list(["a", "b"], continueToken: "next/page=")]) }) { setup in
            let options = ListOptions(labelSelector: "app=web,tier!=db", limit: 2)
            let page = try await setup.client.list(.ingresses, namespace: "shop", options: options, as: Item.self)

            #expect(page.items == [Item(name: "a"), Item(name: "b")])
            #expect(page.metadata.resourceVersion == "42")
            #expect(page.metadata.continue == "next/page=")
            let request = try #require(setup.server.requests.first)
            #expect(request.method == "GET")
            #expect(request.uri == "/apis/networking.k8s.io/v1/namespaces/shop/ingresses?labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=2")
            #expect(request.authorization == "Bearer secret-token")
        }
    }

    @Test func writesSendJSONWithTheRightMethods() async throws {
        try await withStub(respond: { request in .init(chunks: [request.body.isEmpty ? "{\"name\":\"got\"}" : request.body]) }) { setup in
            let created = try await setup.client.create(.leases, namespace: "ns", Item(name: "new"))
            let replaced = try await setup.client.replace(.ingresses, namespace: "ns", name: "web", subresource: "status", Item(name: "put"))
            let patched = try await setup.client.mergePatch(.services, namespace: "ns", name: "svc", subresource: nil, patch: Data("{\"name\":\"patch\"}".utf8), as: Item.self)
            let fetched = try await setup.client.get(.leases, namespace: "ns", name: "new", as: Item.self)
            try await setup.client.delete(.leases, namespace: "ns", name: "new")

            #expect([created, replaced, patched, fetched].map(\.name) == ["new", "put", "patch", "got"])
            let seen = setup.server.requests.map { "\($0.method) \($0.uri) \($0.contentType ?? "-")" }
            #expect(seen == [
                "POST /apis/coordination.k8s.io/v1/namespaces/ns/leases application/json",
                "PUT /apis/networking.k8s.io/v1/namespaces/ns/ingresses/web/status application/json",
                "PATCH /api/v1/namespaces/ns/services/svc application/merge-patch+json",
                "GET /apis/coordination.k8s.io/v1/namespaces/ns/leases/new -",
                "DELETE /apis/coordination.k8s.io/v1/namespaces/ns/leases/new -",
            ])
        }
    }

    @Test func aServerCertificateFromAnotherCAFailsVerificationClearly() async throws {
        let other = try TestCertificateAuthority(name: "Some Other CA")
        try await withStub(trust: other.certificatePEM, respond: { _ in .init(chunks: [Self.list([])]) }) { setup in
            let error = try await #require(throws: KubeAPIError.self) {
                try await setup.client.list(.services, namespace: nil, options: ListOptions(), as: Item.self)
            }

            #expect(error.kind == .tlsVerification)
            #expect(error.message.contains("GET /api/v1/services: the server's certificate did not verify against the CA from the test CA"))
            #expect(setup.server.requests.isEmpty)
        }
    }

    @Test func statusAnswersCarryTheDecodedStatus() async throws {
        try await withStub(respond: { request in
            switch request.uri {
            case let uri where uri.contains("/ingresses"):
                let message = "ingresses.networking.k8s.io is forbidden: User \\\"system:serviceaccount:portico:portico\\\" cannot list resource \\\"ingresses\\\""
                return .init(status: .forbidden, chunks: ["{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"\(message)\",\"reason\":\"Forbidden\",\"code\":403}"])
            case let uri where uri.contains("/secrets"):
                return .init(status: .unauthorized, chunks: ["{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}"])
            case let uri where uri.contains("/leases"):
                return .init(status: .conflict, chunks: ["{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"the object has been modified\",\"reason\":\"Conflict\",\"code\":409}"])
            default:
                return .init(status: .tooManyRequests, headers: [("Retry-After", "7")], chunks: ["{\"kind\":\"Status\",\"reason\":\"TooManyRequests\",\"code\":429}"])
            }
        }) { setup in
            let client = setup.client

            let forbidden = try await #require(throws: KubeAPIError.self) { try await client.list(.ingresses, namespace: nil, options: ListOptions(), as: Item.self) }
            #expect(forbidden.kind == .status)
            #expect(forbidden.httpStatus == 403)
            #expect(forbidden.status?.reason == "Forbidden")
            #expect(forbidden.message.hasPrefix("RBAC: the service account cannot list ingresses.networking.k8s.io at the cluster scope; grant it in a ClusterRole"))
            #expect(forbidden.message.contains("cannot list resource \"ingresses\""))

            let unauthorized = try await #require(throws: KubeAPIError.self) { try await client.get(.secrets, namespace: "ns", name: "tls", as: Item.self) }
            #expect(unauthorized.httpStatus == 401)
            #expect(unauthorized.message.contains("401 Unauthorized: the API server rejected the bearer token from the kubeconfig"))

            let conflict = try await #require(throws: KubeAPIError.self) { try await client.replace(.leases, namespace: "ns", name: "l", subresource: nil, Item(name: "l")) }
            #expect(conflict.httpStatus == 409)
            #expect(conflict.status?.reason == "Conflict")

            let throttled = try await #require(throws: KubeAPIError.self) { try await client.get(.services, namespace: "ns", name: "s", as: Item.self) }
            #expect(throttled.httpStatus == 429)
            #expect(throttled.retryAfter == .seconds(7))
        }
    }

    @Test func aRotatedTokenFileIsReadAgain() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let tokenPath = try folder.write("token", "first-token\n")
        try await withStub(token: .file(path: tokenPath), respond: { _ in .init(chunks: ["{\"name\":\"x\"}"]) }) { setup in
            _ = try await setup.client.get(.services, namespace: "ns", name: "a", as: Item.self)
            // The kubelet swaps a symlink; an atomic write (a rename onto the path) also gives
            // the path a new inode.
            try Data("second-token-longer\n".utf8).write(to: URL(fileURLWithPath: tokenPath), options: .atomic)
            _ = try await setup.client.get(.services, namespace: "ns", name: "b", as: Item.self)
            try FileManager.default.removeItem(atPath: tokenPath)
            let missing = try await #require(throws: KubeAPIError.self) { try await setup.client.get(.services, namespace: "ns", name: "c", as: Item.self) }

            #expect(setup.server.requests.map(\.authorization) == ["Bearer first-token", "Bearer second-token-longer"])
            #expect(missing.kind == .configuration)
            #expect(missing.message.contains(tokenPath))
        }
    }

    @Test func watchYieldsEventsInOrderAndFinishesWhenTheServerEnds() async throws {
        try await withStub(respond: { _ in
            .init(chunks: [
                "{\"type\":\"ADDED\",\"object\":{\"name\":\"a\"}}\n{\"type\":\"MODI",
                "FIED\",\"object\":{\"name\":\"b\"}}\r\n\n",
                "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"77\"}}}\n",
                "{\"type\":\"DELETED\",\"object\":{\"name\":\"c\"}}",
            ])
        }) { setup in
            let options = WatchOptions(resourceVersion: "10", timeoutSeconds: 30)
            var seen: [String] = []
            for try await event in setup.client.watch(.ingresses, namespace: "shop", options: options, as: Item.self) {
                switch event {
                case .added(let item): seen.append("added \(item.name)")
                case .modified(let item): seen.append("modified \(item.name)")
                case .deleted(let item): seen.append("deleted \(item.name)")
                case .bookmark(let version): seen.append("bookmark \(version)")
                case .error(let status): seen.append("error \(status)")
                }
            }

            #expect(seen == ["added a", "modified b", "bookmark 77", "deleted c"])
            #expect(setup.server.requests.first?.uri == "/apis/networking.k8s.io/v1/namespaces/shop/ingresses?watch=true&resourceVersion=10&timeoutSeconds=30&allowWatchBookmarks=true")
        }
    }

    @Test func aDroppedWatchThrowsTransport() async throws {
        try await withStub(respond: { _ in .init(chunks: ["{\"type\":\"ADDED\",\"object\":{\"name\":\"a\"}}\n"], dropAfterChunks: true) }) { setup in
            var names: [String] = []
            let error = try await #require(throws: KubeAPIError.self) {
                for try await event in setup.client.watch(.services, namespace: nil, options: WatchOptions(), as: Item.self) {
                    if case .added(let item) = event { names.append(item.name) }
                }
            }

            #expect(names == ["a"])
            #expect(error.kind == .transport)
        }
    }

    @Test func aRefusedWatchThrowsTheStatus() async throws {
        try await withStub(respond: { _ in
            .init(status: .gone, chunks: ["{\"kind\":\"Status\",\"reason\":\"Expired\",\"message\":\"too old resource version\",\"code\":410}"])
        }) { setup in
            let error = try await #require(throws: KubeAPIError.self) {
                for try await _ in setup.client.watch(.services, namespace: nil, options: WatchOptions(resourceVersion: "1"), as: Item.self) {}
            }

            #expect(error.isGone)
            #expect(error.status?.reason == "Expired")
        }
    }

    @Test func leavingAWatchEndsTheRequest() async throws {
        try await withStub(respond: { _ in .init(chunks: ["{\"type\":\"ADDED\",\"object\":{\"name\":\"a\"}}\n"], holdOpen: true) }) { setup in
            for try await _ in setup.client.watch(.services, namespace: nil, options: WatchOptions(), as: Item.self) {
                break
            }

            // HTTP/1.1: the only way to end a response early is to close its connection.
            let deadline = ContinuousClock.now + .seconds(10)
            while setup.server.closedConnectionCount == 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(setup.server.closedConnectionCount == 1)
        }
    }

    @Test func cancellingTheWatchingTaskEndsTheStream() async throws {
        try await withStub(respond: { _ in .init(chunks: [], holdOpen: true) }) { setup in
            let client = setup.client

            let watcher = Task {
                for try await _ in client.watch(.services, namespace: nil, options: WatchOptions(), as: Item.self) {}
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while setup.server.requests.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            watcher.cancel()

            await #expect(throws: CancellationError.self) { try await watcher.value }
        }
    }

    @Test func aClientThatIsShutDownRefusesRequests() async throws {
        try await withStub(respond: { _ in .init(chunks: ["{\"name\":\"x\"}"]) }) { setup in
            setup.client.shutdown()
            let error = try await #require(throws: KubeAPIError.self) { try await setup.client.get(.services, namespace: "a", name: "b", as: Item.self) }

            #expect(error.kind == .transport)
            #expect(error.message.contains("shut down"))
        }
    }

    @Test func insecureSkipTLSVerifyConnectsAnywayAndWarns() async throws {
        let other = try TestCertificateAuthority(name: "Some Other CA")
        let lines = LogRecorder()
        try await withStub(trust: other.certificatePEM, insecure: true, logger: lines.logger(label: "portico.kube.test"), respond: { _ in .init(chunks: ["{\"name\":\"x\"}"]) }) { setup in
            let item = try await setup.client.get(.services, namespace: "a", name: "x", as: Item.self)

            #expect(item.name == "x")
            #expect(lines.lines.contains { $0.hasPrefix("warning TLS VERIFICATION OF THE API SERVER IS OFF") })
        }
    }

    @Test func eachFailureClassIsLoggedOnceUntilItRecovers() async throws {
        let lines = LogRecorder()
        let failing = Mutex(true)
        try await withStub(logger: lines.logger(label: "portico.kube.test"), respond: { request in
            if request.uri.contains("/secrets"), failing.withLock({ $0 }) {
                return .init(status: .forbidden, chunks: ["{\"kind\":\"Status\",\"reason\":\"Forbidden\",\"code\":403}"])
            }
            return .init(chunks: ["{\"name\":\"x\"}"])
        }) { setup in
            for _ in 0..<3 {
                await #expect(throws: KubeAPIError.self) { try await setup.client.get(.secrets, namespace: "a", name: "x", as: Item.self) }
            }
            // Another resource succeeding does not clear the RBAC failure of this one.
            _ = try await setup.client.get(.services, namespace: "a", name: "x", as: Item.self)
            await #expect(throws: KubeAPIError.self) { try await setup.client.get(.secrets, namespace: "a", name: "x", as: Item.self) }
            failing.withLock { $0 = false }
            _ = try await setup.client.get(.secrets, namespace: "a", name: "x", as: Item.self)

            #expect(lines.lines.filter { !$0.hasPrefix("debug") } == [
                "error Kubernetes API: RBAC: the service account cannot get secrets in namespace a; grant it in a Role bound in a or a ClusterRole (GET /api/v1/namespaces/a/secrets/x: {\"kind\":\"Status\",\"reason\":\"Forbidden\",\"code\":403})",
                "info Kubernetes API: recovered from forbidden get secrets failures",
            ])
        }
    }

    @Test func aRefusedConnectionIsTransportAndABadURLIsConfiguration() async throws {
        let authority = try TestCertificateAuthority()
        // A port that stays bound and refuses: a closed listener's port could be taken by a
        // parallel test's TLS server, and the "refused" call then failed TLS verification.
        try await RefusingPort.with { port in
            let client = try CurlKubernetesClient(
                configuration: KubeClientConfiguration(server: "https://127.0.0.1:\(port)", certificateAuthorityPEM: Data(authority.certificatePEM.utf8)),
                logger: Self.logger
            )
            defer { client.shutdown() }

            let refused = try await #require(throws: KubeAPIError.self) { try await client.get(.services, namespace: "a", name: "b", as: Item.self) }
            #expect(refused.kind == .transport)
            #expect(refused.message.hasPrefix("GET /api/v1/namespaces/a/services/b: "))
        }

        let badURL = try #require(throws: KubeAPIError.self) {
            try CurlKubernetesClient(configuration: KubeClientConfiguration(server: "kubernetes.default:443"), logger: Self.logger)
        }
        #expect(badURL.kind == .configuration)
        #expect(badURL.message == "the API server URL \"kubernetes.default:443\" is not an http(s) URL")
    }

    @Test func aWatchWhoseTokenFileIsGoneThrowsAConfigurationError() async throws {
        try await withStub(token: .file(path: "/nonexistent/portico/token"), respond: { _ in .init(chunks: []) }) { setup in
            let error = try await #require(throws: KubeAPIError.self) {
                for try await _ in setup.client.watch(.services, namespace: nil, options: WatchOptions(), as: Item.self) {}
            }
            #expect(error.kind == .configuration)
            #expect(error.message.contains("/nonexistent/portico/token"))
            #expect(setup.server.requests.isEmpty)
        }
    }
}
