import Foundation
import Logging
import PorticoKube
import PorticoModel
import PorticoTestAPIServer
import PorticoTestSupport
import Testing

/// The libcurl client against the project's test API server: the real wire protocol over TLS
/// with bearer tokens and client certificates, through real libcurl.
@Suite("libcurl client against the test API server")
struct TestAPIServerClientTests {
    static let token = "portico-token"
    static let logger = Logger(label: "portico.kube.test")

    /// Runs `body` with a server accepting `token` and a client built from `configure`
    /// (default: trust the server's CA, send `token`); closes both however `body` ends.
    func withServer(
        configuration: TestAPIServer.Configuration = TestAPIServer.Configuration(),
        configure: (TestAPIServer, inout KubeClientConfiguration) throws -> Void = { _, _ in },
        _ body: (TestAPIServer, CurlKubernetesClient) async throws -> Void
    ) async throws {
        let server = try await TestAPIServer.start(token: Self.token, configuration: configuration)
        do {
            var clientConfiguration = KubeClientConfiguration(
                server: server.url,
                certificateAuthorityPEM: Data(server.caPEM.utf8),
                certificateAuthoritySource: "the test API server's CA",
                bearerToken: .literal(Self.token),
                connectTimeout: .seconds(5),
                requestTimeout: .seconds(20)
            )
            try configure(server, &clientConfiguration)
            let client = try CurlKubernetesClient(configuration: clientConfiguration, logger: Self.logger)
            defer { client.shutdown() }
            try await body(server, client)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    func configMap(_ name: String, _ value: String = "1") -> String {
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"\(name)\",\"namespace\":\"portico\"},\"data\":{\"v\":\"\(value)\"}}"
    }

    func describe(_ event: WatchEvent<ConfigMap>) -> String {
        switch event {
        case .added(let object): "added \(object.metadata.name ?? "?")=\(object.data?["v"] ?? "")"
        case .modified(let object): "modified \(object.metadata.name ?? "?")=\(object.data?["v"] ?? "")"
        case .deleted(let object): "deleted \(object.metadata.name ?? "?")"
        case .bookmark: "bookmark"
        case .error(let status): "error \(status.code ?? 0) \(status.reason ?? "")"
        }
    }

    @Test func listsPageByPageAndReusesTheConnection() async throws {
        try await withServer { server, client in
            for name in ["a", "b", "c", "d", "e"] { _ = try server.apply(json: configMap(name)) }

            var names: [String] = []
            var options = ListOptions(limit: 2)
            var pages = 0
            repeat {
                let page = try await client.list(.configMaps, namespace: "portico", options: options, as: ConfigMap.self)
                names += page.items.compactMap(\.metadata.name)
                options.continueToken = page.metadata.continue
                pages += 1
            } while options.continueToken != nil && pages < 10

            #expect(names == ["a", "b", "c", "d", "e"])
            #expect(pages == 3)
            #expect(server.requests(verb: "list").allSatisfy { $0.user == TestAPIServer.defaultUser })
            #expect(server.requests(verb: "list").first?.headers["user-agent"] == "portico")
            #expect(server.acceptedConnectionCount == 1)
        }
    }

    /// Over HTTP/1.1: releasing the stream closes its connection, so the server sees the watch
    /// end at once. Over HTTP/2 the reset waits for the connection's next write (libcurl 7.88
    /// to 8.14, curl/curl#17611); `aReleasedHTTP2WatchEndsWithTheConnectionsNextRequest` covers it.
    @Test func watchEventsArriveInOrder() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.http2 = false
        try await withServer(configuration: configuration) { server, client in
            _ = try server.apply(json: configMap("first"))
            let list = try await client.list(.configMaps, namespace: "portico", options: ListOptions(), as: ConfigMap.self)

            // The stream lives in this closure only: once it returns, the stream is released,
            // which ends the request.
            let seen = try await { () async throws -> [String] in
                let stream = client.watch(.configMaps, namespace: "portico", options: WatchOptions(resourceVersion: list.metadata.resourceVersion), as: ConfigMap.self)
                #expect(await server.waitForWatches(atLeast: 1))
                _ = try server.apply(json: configMap("second"))
                _ = try server.apply(json: configMap("second", "2"))
                _ = try server.delete(.configMaps, namespace: "portico", name: "first")
                var seen: [String] = []
                for try await event in stream {
                    seen.append(describe(event))
                    if seen.count == 3 { break }
                }
                return seen
            }()

            #expect(seen == ["added second=1", "modified second=2", "deleted first"])
            #expect(await server.wait { $0.openWatchCount == 0 })
        }
    }

    @Test func aWatchEndedByTheServerFinishesAndADroppedOneThrows() async throws {
        try await withServer { server, client in
            let ended = client.watch(.configMaps, namespace: nil, options: WatchOptions(), as: ConfigMap.self)
            #expect(await server.waitForWatches(atLeast: 1))
            server.endWatches()
            var endedEvents = 0
            for try await _ in ended { endedEvents += 1 }
            #expect(endedEvents == 0)

            let dropped = client.watch(.configMaps, namespace: nil, options: WatchOptions(), as: ConfigMap.self)
            #expect(await server.waitForWatches(atLeast: 1))
            server.dropWatches()
            let error = try await #require(throws: KubeAPIError.self) {
                for try await _ in dropped {}
            }
            #expect(error.kind == .transport)
        }
    }

    @Test func anExpiredWatchYieldsTheErrorEventThenFinishes() async throws {
        try await withServer { server, client in
            let stream = client.watch(.configMaps, namespace: nil, options: WatchOptions(), as: ConfigMap.self)
            #expect(await server.waitForWatches(atLeast: 1))
            server.expireWatches()

            var seen: [String] = []
            for try await event in stream { seen.append(describe(event)) }
            #expect(seen == ["error 410 Expired"])
        }
    }

    @Test func statusErrorsCarryTheServersStatus() async throws {
        try await withServer { server, client in
            let created = try await client.create(.leases, namespace: "portico", Lease(metadata: ObjectMeta(name: "leader", namespace: "portico"), spec: Lease.Spec(holderIdentity: "a")))
            var stale = created
            stale.metadata.resourceVersion = "1"
            stale.spec?.holderIdentity = "b"
            let conflict = try await #require(throws: KubeAPIError.self) {
                try await client.replace(.leases, namespace: "portico", name: "leader", subresource: nil, stale)
            }
            #expect(conflict.httpStatus == 409)
            #expect(conflict.status?.reason == "Conflict")

            let missing = try await #require(throws: KubeAPIError.self) {
                try await client.get(.leases, namespace: "portico", name: "nobody", as: Lease.self)
            }
            #expect(missing.httpStatus == 404)
            #expect(missing.status?.reason == "NotFound")

            server.deny(AccessRule(verb: "list", resource: "ingresses"))
            let forbidden = try await #require(throws: KubeAPIError.self) {
                try await client.list(.ingresses, namespace: nil, options: ListOptions(), as: ConfigMap.self)
            }
            #expect(forbidden.httpStatus == 403)
            #expect(forbidden.status?.reason == "Forbidden")
            #expect(forbidden.message.hasPrefix("RBAC: the service account cannot list ingresses.networking.k8s.io at the cluster scope; grant it in a ClusterRole"))

            server.setTokens([:])
            let unauthorized = try await #require(throws: KubeAPIError.self) {
                try await client.get(.leases, namespace: "portico", name: "leader", as: Lease.self)
            }
            #expect(unauthorized.httpStatus == 401)
            #expect(unauthorized.message.contains("the API server rejected the bearer token from the kubeconfig"))
        }
    }

    @Test func writesRoundTrip() async throws {
        try await withServer { server, client in
            var lease = try await client.create(.leases, namespace: "portico", Lease(metadata: ObjectMeta(name: "leader", namespace: "portico"), spec: Lease.Spec(holderIdentity: "a")))
            lease.spec?.holderIdentity = "b"
            let replaced = try await client.replace(.leases, namespace: "portico", name: "leader", subresource: nil, lease)
            let patched = try await client.mergePatch(.leases, namespace: "portico", name: "leader", subresource: nil, patch: Data("{\"spec\":{\"leaseTransitions\":3}}".utf8), as: Lease.self)
            try await client.delete(.leases, namespace: "portico", name: "leader")

            #expect(replaced.spec?.holderIdentity == "b")
            #expect(patched.spec?.leaseTransitions == 3)
            #expect(patched.spec?.holderIdentity == "b")
            #expect(server.object(.leases, namespace: "portico", name: "leader") == nil)
            #expect(server.writes.map(\.statusCode) == [201, 200, 200, 200])
        }
    }

    @Test func aRotatedTokenFileIsPickedUp() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let tokenPath = try folder.write("token", Self.token + "\n")
        try await withServer(configure: { _, configuration in configuration.bearerToken = .file(path: tokenPath) }) { server, client in
            _ = try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)

            // The server now accepts only the new token; the file still holds the old one.
            server.setTokens(["rotated-token": TestAPIServer.defaultUser])
            let rejected = try await #require(throws: KubeAPIError.self) {
                try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)
            }
            #expect(rejected.httpStatus == 401)
            #expect(rejected.message.contains("the bearer token in \(tokenPath)"))

            // The kubelet writes the new token: the next request uses it.
            try Data("rotated-token\n".utf8).write(to: URL(fileURLWithPath: tokenPath), options: .atomic)
            _ = try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)

            #expect(server.requests.map(\.statusCode) == [200, 401, 200])
        }
    }

    @Test func aServerCertificateFromAnotherCAIsRefused() async throws {
        let other = try TestCertificateAuthority(name: "Not The Cluster CA")
        try await withServer(configure: { _, configuration in
            configuration.certificateAuthorityPEM = Data(other.certificatePEM.utf8)
            configuration.certificateAuthoritySource = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
        }) { server, client in
            let error = try await #require(throws: KubeAPIError.self) {
                try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)
            }
            #expect(error.kind == .tlsVerification)
            #expect(error.message.hasPrefix("GET /api/v1/configmaps: the server's certificate did not verify against the CA from /var/run/secrets/kubernetes.io/serviceaccount/ca.crt"))
            #expect(server.requests.isEmpty)
        }
    }

    @Test func aClientCertificateAuthenticates() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.clientCertificates = true
        try await withServer(configuration: configuration, configure: { server, client in
            let pair = try server.authority.issueClientCertificate(user: "portico-by-certificate")
            client.bearerToken = nil
            client.clientCertificate = .init(certificatePEM: Data(pair.certificatePEM.utf8), keyPEM: Data(pair.keyPEM.utf8), source: "the test pair")
        }) { server, client in
            _ = try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)

            #expect(server.requests.map(\.user) == ["portico-by-certificate"])
        }
    }

    /// Over HTTP/1.1: when ALPN picked `h2`, libcurl 7.88 sets up the HTTP/2 session right after
    /// the handshake, and when the server's refusal (a TLS 1.3 alert, then close) wins that
    /// race, libcurl reports `getpeername() failed` instead of the alert: a transport error
    /// that names no certificate. `aRefusedClientCertificateOverHTTP2NeverReachesTheServer`
    /// covers HTTP/2 with that weaker expectation.
    @Test func aClientCertificateTheServerDoesNotTrustIsATLSError() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.clientCertificates = true
        configuration.http2 = false
        let stranger = try TestCertificateAuthority(name: "Stranger CA").issue(commonName: "intruder", dnsNames: ["intruder"])
        try await withServer(configuration: configuration, configure: { _, client in
            client.bearerToken = nil
            client.clientCertificate = .init(certificatePEM: Data(stranger.chainPEM.utf8), keyPEM: Data(stranger.keyPEM.utf8), source: "/etc/portico/client.crt")
        }) { server, client in
            let error = try await #require(throws: KubeAPIError.self) {
                try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)
            }
            #expect(error.kind == .tlsVerification)
            #expect(error.message.hasPrefix("GET /api/v1/configmaps: the server refused the client certificate from /etc/portico/client.crt: "))
            #expect(server.requests.isEmpty)
        }
    }

    @Test func manyConcurrentRequestsAndCancellationsSettle() async throws {
        try await withServer { server, client in
            _ = try server.apply(json: configMap("shared"))
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        if index % 4 == 3 {
                            // A watch abandoned at once, racing its own submission.
                            let watcher = Task {
                                for try await _ in client.watch(.configMaps, namespace: nil, options: WatchOptions(), as: ConfigMap.self) {}
                            }
                            watcher.cancel()
                            _ = await watcher.result
                            return "cancelled"
                        }
                        let object = try await client.get(.configMaps, namespace: "portico", name: "shared", as: ConfigMap.self)
                        return object.metadata.name ?? "?"
                    }
                }
                var outcomes: [String: Int] = [:]
                for try await outcome in group { outcomes[outcome, default: 0] += 1 }
                return outcomes
            }

            #expect(outcomes == ["shared": 30, "cancelled": 10])
            // Over HTTP/2, libcurl 7.88 to 8.14 sends a cancelled watch's RST_STREAM only with
            // the connection's next write (curl/curl#17611); this request is that write.
            _ = try await client.get(.configMaps, namespace: "portico", name: "shared", as: ConfigMap.self)
            #expect(await server.wait { $0.openWatchCount == 0 })
        }
    }

    /// Several watches and a request run concurrently; `TestAPIServerClientTests+HTTP2`
    /// checks that they share one HTTP/2 connection, and over HTTP/1.1 that each takes its own.
    @Test func severalWatchesRunAtOnce() async throws {
        try await withServer { server, client in
            let names = ["one", "two", "three"]
            let streams = names.map { name in
                client.watch(.configMaps, namespace: name, options: WatchOptions(), as: ConfigMap.self)
            }
            #expect(await server.waitForWatches(atLeast: 3))
            for name in names {
                _ = try server.apply(json: "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\",\"namespace\":\"\(name)\"}}")
            }
            // A plain request still gets through while three watches are open.
            _ = try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)

            var namespaces: [String] = []
            for stream in streams {
                for try await event in stream {
                    if case .added(let object) = event { namespaces.append(object.metadata.namespace ?? "?") }
                    break
                }
            }
            #expect(namespaces == names)
        }
    }
}
