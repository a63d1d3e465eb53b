import Foundation
import PorticoKube
import PorticoModel
import PorticoTestAPIServer
import PorticoTestSupport
import Testing

/// HTTP/2 as a real cluster speaks it: the client negotiates `h2` and every watch and request is
/// a stream of one shared TCP connection; cut streams and cut connections are transport errors
/// the client recovers from.
extension TestAPIServerClientTests {
    private func namespacedConfigMap(_ name: String, namespace: String) -> String {
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"\(name)\",\"namespace\":\"\(namespace)\"}}"
    }

    /// The first event of each stream, its namespace.
    private func firstNamespaces(_ streams: [AsyncThrowingStream<WatchEvent<ConfigMap>, any Error>]) async throws -> [String] {
        var namespaces: [String] = []
        for stream in streams {
            for try await event in stream {
                if case .added(let object) = event { namespaces.append(object.metadata.namespace ?? "?") }
                break
            }
        }
        return namespaces
    }

    @Test func threeWatchesAndAListShareOneHTTP2Connection() async throws {
        try await withServer { server, client in
            let names = ["one", "two", "three"]
            let namespaces = try await { () async throws -> [String] in
                let streams = names.map { name in
                    client.watch(.configMaps, namespace: name, options: WatchOptions(), as: ConfigMap.self)
                }
                #expect(await server.waitForWatches(atLeast: 3))
                _ = try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)
                for name in names { _ = try server.apply(json: namespacedConfigMap("cm", namespace: name)) }
                return try await firstNamespaces(streams)
            }()

            #expect(namespaces == names)
            #expect(server.acceptedConnectionCount == 1)
            #expect(server.requests.count == 4)
            #expect(server.requests.allSatisfy { $0.httpVersion == "HTTP/2" && $0.connection == 1 })
        }
    }

    @Test func withHTTP2OffEachOpenWatchTakesItsOwnConnection() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.http2 = false
        try await withServer(configuration: configuration) { server, client in
            let names = ["one", "two", "three"]
            let namespaces = try await { () async throws -> [String] in
                let streams = names.map { name in
                    client.watch(.configMaps, namespace: name, options: WatchOptions(), as: ConfigMap.self)
                }
                #expect(await server.waitForWatches(atLeast: 3))
                for name in names { _ = try server.apply(json: namespacedConfigMap("cm", namespace: name)) }
                return try await firstNamespaces(streams)
            }()

            #expect(namespaces == names)
            #expect(server.acceptedConnectionCount == 3)
            #expect(Set(server.requests.map(\.connection)).count == 3)
            #expect(server.requests.allSatisfy { $0.httpVersion == "HTTP/1.1" })
        }
    }

    /// A reset watch stream fails that watch only; the resumed watch rides the same connection
    /// and sees exactly the events after the last one delivered.
    @Test func aDroppedHTTP2WatchResumesOnTheSameConnection() async throws {
        try await withServer { server, client in
            let list = try await client.list(.configMaps, namespace: "portico", options: ListOptions(), as: ConfigMap.self)
            let firstRun = try await { () async throws -> (seen: [String], lastVersion: String?, error: KubeAPIError?) in
                let stream = client.watch(.configMaps, namespace: "portico", options: WatchOptions(resourceVersion: list.metadata.resourceVersion), as: ConfigMap.self)
                #expect(await server.waitForWatches(atLeast: 1))
                _ = try server.apply(json: configMap("a"))
                var seen: [String] = []
                var lastVersion: String?
                do {
                    for try await event in stream {
                        seen.append(describe(event))
                        if case .added(let object) = event {
                            lastVersion = object.metadata.resourceVersion
                            server.dropWatches()
                        }
                    }
                    return (seen, lastVersion, nil)
                } catch let error as KubeAPIError {
                    return (seen, lastVersion, error)
                }
            }()
            let lastVersion = try #require(firstRun.lastVersion)
            #expect(firstRun.seen == ["added a=1"])
            #expect(firstRun.error?.kind == .transport)

            _ = try server.apply(json: configMap("b"))
            _ = try server.apply(json: configMap("a", "2"))
            let resumed = try await { () async throws -> [String] in
                let stream = client.watch(.configMaps, namespace: "portico", options: WatchOptions(resourceVersion: lastVersion), as: ConfigMap.self)
                var seen: [String] = []
                for try await event in stream {
                    seen.append(describe(event))
                    if seen.count == 2 { break }
                }
                return seen
            }()
            #expect(resumed == ["added b=1", "modified a=2"])
            #expect(server.acceptedConnectionCount == 1)
            #expect(server.requests.allSatisfy { $0.httpVersion == "HTTP/2" })
        }
    }

    /// An API server restart: the shared connection closes, every watch on it throws, and the
    /// next request opens a new HTTP/2 connection.
    @Test func droppingTheHTTP2ConnectionFailsEveryWatchAndTheClientReconnects() async throws {
        try await withServer { server, client in
            let names = ["one", "two", "three"]
            let outcomes = try await { () async throws -> [KubeAPIError.Kind?] in
                let streams = names.map { name in
                    client.watch(.configMaps, namespace: name, options: WatchOptions(), as: ConfigMap.self)
                }
                #expect(await server.waitForWatches(atLeast: 3))
                #expect(server.openConnectionCount == 1)
                server.dropConnections()
                var outcomes: [KubeAPIError.Kind?] = []
                for stream in streams {
                    do {
                        for try await _ in stream {}
                        outcomes.append(nil)
                    } catch let error as KubeAPIError {
                        outcomes.append(error.kind)
                    }
                }
                return outcomes
            }()
            #expect(outcomes == [.transport, .transport, .transport])

            _ = try server.apply(json: configMap("after"))
            let list = try await client.list(.configMaps, namespace: "portico", options: ListOptions(), as: ConfigMap.self)
            #expect(list.items.compactMap(\.metadata.name) == ["after"])
            #expect(server.acceptedConnectionCount == 2)
            #expect(server.requests.last?.connection == 2)
            #expect(server.requests.last?.httpVersion == "HTTP/2")
        }
    }

    /// libcurl 7.88 to 8.14 (Debian 12 ships 7.88.1) queues the RST_STREAM of a removed HTTP/2
    /// transfer until the connection next sends (curl/curl#17611, fixed in 8.15): a released
    /// watch can stay open on the server until then. Any later request on the shared connection
    /// flushes the reset, so the server's watch ends without waiting for its timeout.
    @Test func aReleasedHTTP2WatchEndsWithTheConnectionsNextRequest() async throws {
        try await withServer { server, client in
            _ = try server.apply(json: configMap("first"))
            let seen = try await { () async throws -> String? in
                let stream = client.watch(.configMaps, namespace: "portico", options: WatchOptions(), as: ConfigMap.self)
                for try await event in stream { return describe(event) }
                return nil
            }()
            #expect(seen == "added first=1")
            _ = try await client.get(.configMaps, namespace: "portico", name: "first", as: ConfigMap.self)
            #expect(await server.wait { $0.openWatchCount == 0 })
            #expect(server.acceptedConnectionCount == 1)
        }
    }

    /// The refusal arrives as a TLS 1.3 alert after the client set up its HTTP/2 session; libcurl
    /// 7.88 reports it either as the alert (a `tlsVerification` error naming the certificate) or,
    /// when the close wins the race, as `getpeername() failed` (a `transport` error). Either
    /// way no request reaches the server.
    @Test func aRefusedClientCertificateOverHTTP2NeverReachesTheServer() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.clientCertificates = true
        let stranger = try TestCertificateAuthority(name: "Stranger CA").issue(commonName: "intruder", dnsNames: ["intruder"])
        try await withServer(configuration: configuration, configure: { _, client in
            client.bearerToken = nil
            client.clientCertificate = .init(certificatePEM: Data(stranger.chainPEM.utf8), keyPEM: Data(stranger.keyPEM.utf8), source: "/etc/portico/client.crt")
        }) { server, client in
            let error = try await #require(throws: KubeAPIError.self) {
                try await client.list(.configMaps, namespace: nil, options: ListOptions(), as: ConfigMap.self)
            }
            #expect(error.kind == .tlsVerification || error.kind == .transport)
            #expect(server.requests.isEmpty)
        }
    }

    /// 2,000 objects are far more than one 64 KiB HTTP/2 window: the answer only arrives whole
    /// if both sides honour WINDOW_UPDATEs.
    @Test func aLargeListDecodesOverHTTP2() async throws {
        try await withServer { server, client in
            let padding = String(repeating: "x", count: 200)
            for index in 0..<2_000 {
                _ = try server.apply(json: configMap(String(format: "cm-%04d", index), padding))
            }
            let list = try await client.list(.configMaps, namespace: "portico", options: ListOptions(), as: ConfigMap.self)
            #expect(list.items.count == 2_000)
            #expect(list.items.first?.metadata.name == "cm-0000")
            #expect(list.items.last?.data?["v"] == padding)
            #expect(server.requests.last?.httpVersion == "HTTP/2")
        }
    }
}
