import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// Real TLS handshakes on 127.0.0.1 against the HTTPS listener: SNI selection (exact,
/// wildcard, unknown, absent), rotation with an open connection, forwarded headers, HSTS,
/// redirects on the plain listener, the minimum version and session resumption.
@Suite struct TLSIntegrationTests {
    static let defaultName = "Portico default certificate"

    struct Harness {
        let server: ProxyServer
        let routes: RouteTableStore
        let certificates: CertificateStore
        let httpPort: Int
        let httpsPort: Int
        let stub: UpstreamStub

        func stop() async throws {
            try await server.shutdown()
            try await stub.close()
        }

        func get(
            _ serverName: String?,
            host: String = "a.example.com",
            uri: String = "/",
            trustedRootPEM: String? = nil
        ) async throws -> (response: HTTPTestClient.Response, commonName: String?) {
            try await HTTPTestClient.withConnection(
                port: httpsPort, tls: TLSClientSettings(serverName: serverName, trustedRootPEM: trustedRootPEM)
            ) { client in
                let response = try await client.send(uri: uri, host: host)
                return (response, try await client.peerCommonName())
            }
        }
    }

    let authority: TestCertificateAuthority
    let exact: TestCertificateAuthority.Leaf
    let wildcard: TestCertificateAuthority.Leaf

    init() throws {
        authority = try TestCertificateAuthority()
        exact = try authority.issue(commonName: "exact", dnsNames: ["a.example.com"])
        wildcard = try authority.issue(commonName: "wild", dnsNames: ["*.example.com"])
    }

    static func source(_ secret: String, _ hosts: [String], _ leaf: TestCertificateAuthority.Leaf) -> ServerCertificateSource {
        ServerCertificateSource(
            secret: secret, hosts: hosts,
            material: PEMMaterial(certificateChain: Array(leaf.chainPEM.utf8), privateKey: Array(leaf.keyPEM.utf8))
        )
    }

    func withHarness<Result>(
        configure: (inout ProxyConfiguration) -> Void = { _ in },
        _ body: (Harness) async throws -> Result
    ) async throws -> Result {
        let stub = try await UpstreamStub.start(name: "web")
        let cluster = ClusterID(namespace: "default", service: "web", port: "80")
        let source = RouteSource(namespace: "default", ingress: "web", service: "web")
        func host(_ match: HostMatch, _ security: HostSecurity) -> VirtualHost {
            VirtualHost(
                match: match, routes: [Route(match: .prefix(""), backend: .cluster(cluster), source: source)], security: security
            )
        }
        let table = RouteTable(
            generation: 1,
            virtualHosts: [
                host(.exact("a.example.com"), HostSecurity(redirectToHTTPS: true, hsts: true)),
                host(.wildcard("example.com"), HostSecurity(redirectToHTTPS: false, hsts: true)),
                host(.exact("plain.test"), .plain),
            ],
            clusters: [cluster: Cluster(id: cluster, serviceExists: true)],
            endpoints: [cluster: [stub.endpoint]]
        )
        let routes = RouteTableStore(table)
        let certificates = try CertificateStore.withGeneratedDefault()
        let compiled = certificates.compile(
            [Self.source("default/exact", ["a.example.com"], exact), Self.source("default/wild", ["*.example.com"], wildcard)],
            defaultCertificate: nil, now: Date()
        )
        #expect(compiled.problems.isEmpty)
        certificates.publish(compiled.set)

        var configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
        configuration.httpsPort = 0
        configuration.shutdownGracePeriod = .seconds(2)
        configure(&configuration)
        var logger = Logger(label: "portico.test")
        logger.logLevel = .warning
        let server = ProxyServer(
            configuration: configuration, routes: routes, logger: logger, group: MultiThreadedEventLoopGroup.singleton,
            certificates: certificates
        )
        let harness: Harness
        do {
            let httpPort = try await server.start()
            let httpsPort = try #require(server.httpsPort)
            harness = Harness(
                server: server, routes: routes, certificates: certificates, httpPort: httpPort, httpsPort: httpsPort, stub: stub
            )
        } catch {
            try? await server.shutdown()
            try? await stub.close()
            throw error
        }
        do {
            let result = try await body(harness)
            try await harness.stop()
            return result
        } catch {
            try? await harness.stop()
            throw error
        }
    }

    @Test func sniChoosesExactThenWildcardThenDefault() async throws {
        try await withHarness { harness in
            let cases: [(String?, String)] = [
                ("a.example.com", "exact"),
                ("b.example.com", "wild"),
                ("unknown.test", Self.defaultName),
                (nil, Self.defaultName),
            ]
            for (serverName, expected) in cases {
                let (response, commonName) = try await harness.get(serverName)
                #expect(response.status == 200, "\(serverName ?? "no SNI")")
                #expect(commonName == expected, "\(serverName ?? "no SNI")")
            }
        }
    }

    @Test func chainVerifiesAgainstTheIssuingAuthority() async throws {
        try await withHarness { harness in
            let (response, commonName) = try await harness.get("a.example.com", trustedRootPEM: authority.certificatePEM)
            #expect(response.status == 200)
            #expect(commonName == "exact")
        }
    }

    @Test func rotationServesNewHandshakesAndLeavesOpenConnectionsAlone() async throws {
        try await withHarness { harness in
            try await HTTPTestClient.withConnection(
                port: harness.httpsPort, tls: TLSClientSettings(serverName: "a.example.com")
            ) { client in
                #expect(try await client.send(host: "a.example.com").status == 200)
                #expect(try await client.peerCommonName() == "exact")

                let rotated = try authority.issue(commonName: "exact-v2", dnsNames: ["a.example.com"])
                let compiled = harness.certificates.compile(
                    [Self.source("default/exact", ["a.example.com"], rotated), Self.source("default/wild", ["*.example.com"], wildcard)],
                    defaultCertificate: nil, now: Date()
                )
                #expect(compiled.problems.isEmpty)
                harness.certificates.publish(compiled.set)

                // A new handshake gets the new certificate...
                #expect(try await harness.get("a.example.com").commonName == "exact-v2")
                // ...while the open connection keeps working with the one it negotiated.
                #expect(try await client.send(host: "a.example.com").status == 200)
                #expect(try await client.peerCommonName() == "exact")
            }
        }
    }

    @Test func forwardedHeadersSayHTTPSAndHSTSFollowsTheHost() async throws {
        try await withHarness { harness in
            let secure = try await harness.get("a.example.com", host: "a.example.com").response
            #expect(secure.header("x-seen-x-forwarded-proto") == "https")
            #expect(secure.header("x-seen-x-forwarded-port") == String(harness.httpsPort))
            #expect(secure.header("strict-transport-security") == "max-age=31536000")

            let plain = try await harness.get("plain.test", host: "plain.test").response
            #expect(plain.status == 200)
            #expect(plain.header("strict-transport-security") == nil)
        }
    }

    @Test func hstsPolicyIsConfigurableAndCanBeOff() async throws {
        try await withHarness(configure: {
            $0.tls.hsts = HSTSPolicy(maxAge: 600, includeSubdomains: true, preload: true)
        }) { harness in
            let response = try await harness.get("a.example.com").response
            #expect(response.header("strict-transport-security") == "max-age=600; includeSubDomains; preload")
            // Over HTTP/2 every stream has its own handler; each gets the header.
            try await HTTP2TestClient.withConnection(port: harness.httpsPort, tls: TLSClientSettings(serverName: "a.example.com")) { client in
                for _ in 0..<2 {
                    let response = try await client.send(path: "/", authority: "a.example.com")
                    #expect(response.status == 200)
                    #expect(response.header("strict-transport-security") == "max-age=600; includeSubDomains; preload")
                }
            }
        }
        try await withHarness(configure: { $0.tls.hsts = nil }) { harness in
            let response = try await harness.get("a.example.com").response
            #expect(response.status == 200)
            #expect(response.header("strict-transport-security") == nil)
        }
    }

    @Test func plainHTTPRedirectsTLSHostsWithoutContactingTheUpstream() async throws {
        try await withHarness { harness in
            try await HTTPTestClient.withConnection(port: harness.httpPort) { client in
                let redirected = try await client.send(uri: "/shop/cart?item=1&x=%20", host: "A.example.com:8080")
                #expect(redirected.status == 308)
                #expect(redirected.header("location") == "https://a.example.com/shop/cart?item=1&x=%20")
                // The connection stays usable: a host without redirect passes through.
                let passed = try await client.send(uri: "/", host: "b.example.com")
                #expect(passed.status == 200)
                #expect(passed.header("x-seen-x-forwarded-proto") == "http")
            }
            #expect(harness.stub.receivedRequests == 1)
        }
        try await withHarness(configure: { $0.tls.redirectPort = 8443 }) { harness in
            let response = try await HTTPTestClient.withConnection(port: harness.httpPort) { client in
                try await client.send(method: .POST, uri: "/form", host: "a.example.com", body: .string("a=1"))
            }
            #expect(response.status == 308)
            #expect(response.header("location") == "https://a.example.com:8443/form")
        }
    }

    @Test func minimumVersionRefusesOlderClients() async throws {
        try await withHarness(configure: { $0.tls.minimumVersion = .tls13 }) { harness in
            await #expect(throws: (any Error).self) {
                try await HTTPTestClient.withConnection(
                    port: harness.httpsPort, tls: TLSClientSettings(serverName: "a.example.com", maximumVersion: .tlsv12)
                ) { client in
                    _ = try await client.send(host: "a.example.com")
                }
            }
            let (response, _) = try await harness.get("a.example.com")
            #expect(response.status == 200)
        }
    }

    @Test func plainHTTPOnTheTLSPortGetsNoAnswerAndTheListenerKeepsServing() async throws {
        try await withHarness { harness in
            await #expect(throws: (any Error).self) {
                try await HTTPTestClient.withConnection(port: harness.httpsPort) { client in
                    _ = try await client.send(host: "a.example.com")
                }
            }
            let response = try await harness.get("a.example.com").response
            #expect(response.status == 200)
        }
    }

    @Test func cipherListsAreCheckedBeforeBoringSSLSeesThem() async throws {
        #expect(
            try TLSCipherList.normalize("ecdhe-ecdsa-aes128-gcm-sha256: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
                == "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
        )
        #expect(throws: TLSCipherListError.unknown("HIGH")) { try TLSCipherList.normalize("HIGH:!aNULL") }
        #expect(throws: TLSCipherListError.empty) { try TLSCipherList.normalize(" : ") }
        // A configured list is served; an unknown name fails the start, never the process.
        try await withHarness(configure: { $0.tls.cipherSuites = "ECDHE-ECDSA-AES128-GCM-SHA256" }) { harness in
            let response = try await harness.get("a.example.com").response
            #expect(response.status == 200)
        }
        await #expect(throws: TLSCipherListError.unknown("BOGUS")) {
            try await withHarness(configure: { $0.tls.cipherSuites = "BOGUS" }) { _ in }
        }
    }

    @Test func sessionsAreNotResumedUnlessEnabled() async throws {
        try await withHarness { harness in
            let resumed = try Self.resumes(port: harness.httpsPort)
            #expect(!resumed)
        }
        try await withHarness(configure: { $0.tls.sessionResumption = true }) { harness in
            // The positive control: with resumption on, the same check sees it.
            let resumed = try Self.resumes(port: harness.httpsPort)
            #expect(resumed)
        }
    }

    /// Whether a second `openssl s_client` connection resumes the session of the first, as the
    /// benchmark checks.
    static func resumes(port: Int) throws -> Bool {
        let session = FileManager.default.temporaryDirectory.appendingPathComponent("portico-session-\(UUID().uuidString).pem")
        defer { try? FileManager.default.removeItem(at: session) }
        _ = try openssl(port: port, ["-sess_out", session.path])
        let output = try openssl(port: port, ["-sess_in", session.path])
        return output.contains("\nReused")
    }

    static func openssl(port: Int, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "10", "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "a.example.com", "-tls1_3", "-ign_eof"] + arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("GET / HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n".utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
