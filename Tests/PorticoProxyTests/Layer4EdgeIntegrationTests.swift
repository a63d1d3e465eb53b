import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// The layer-4 features of the HTTP and HTTPS listeners on 127.0.0.1: TLS passthrough next to
/// terminated hosts on one port, and PROXY protocol headers in front of HTTP and HTTPS.
@Suite struct Layer4EdgeIntegrationTests {
    let authority: TestCertificateAuthority
    let porticoLeaf: TestCertificateAuthority.Leaf
    let backendLeaf: TestCertificateAuthority.Leaf

    init() throws {
        authority = try TestCertificateAuthority()
        porticoLeaf = try authority.issue(commonName: "portico", dnsNames: ["web.test"])
        backendLeaf = try authority.issue(commonName: "backend", dnsNames: ["db.test"])
    }

    struct Harness {
        let server: ProxyServer
        let httpPort: Int
        let httpsPort: Int
    }

    func withServer<Result>(
        web: UpstreamStub,
        passthrough: Endpoint?,
        proxyProtocol: Bool = false,
        _ body: (Harness) async throws -> Result
    ) async throws -> Result {
        let webCluster = ClusterID(namespace: "default", service: "web", port: "80")
        let dbCluster = ClusterID(namespace: "default", service: "db", port: "443")
        let source = RouteSource(namespace: "default", ingress: "web", service: "web")
        let route = Route(match: .prefix(""), backend: .cluster(webCluster), source: source)
        var hosts = [VirtualHost(match: .exact("web.test"), routes: [route])]
        var endpoints = [webCluster: [web.endpoint]]
        if let passthrough {
            hosts.append(VirtualHost(match: .exact("db.test"), routes: [], passthrough: dbCluster))
            endpoints[dbCluster] = [passthrough]
        }
        let table = RouteTable(
            generation: 1, virtualHosts: hosts,
            clusters: [webCluster: Cluster(id: webCluster), dbCluster: Cluster(id: dbCluster)],
            endpoints: endpoints
        )
        let certificates = try CertificateStore.withGeneratedDefault()
        let compiled = certificates.compile(
            [
                ServerCertificateSource(
                    secret: "default/web", hosts: ["web.test"],
                    material: PEMMaterial(certificateChain: Array(porticoLeaf.chainPEM.utf8), privateKey: Array(porticoLeaf.keyPEM.utf8))
                )
            ],
            defaultCertificate: nil, now: Date()
        )
        certificates.publish(compiled.set)
        var configuration = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
        configuration.httpsPort = 0
        configuration.shutdownGracePeriod = .seconds(2)
        configuration.proxyProtocol = proxyProtocol
        var logger = Logger(label: "portico.test")
        logger.logLevel = .critical
        let server = ProxyServer(
            configuration: configuration, routes: RouteTableStore(table), logger: logger,
            group: MultiThreadedEventLoopGroup.singleton, certificates: certificates
        )
        do {
            let httpPort = try await server.start()
            let httpsPort = try #require(server.httpsPort)
            let result = try await body(Harness(server: server, httpPort: httpPort, httpsPort: httpsPort))
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    @Test func passthroughAndTerminatedHostsShareTheHTTPSPort() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let backend = try await TCPEchoStub.start(tls: backendLeaf)
        do {
            try await withServer(web: web, passthrough: backend.endpoint) { harness in
                // Passthrough: the client's TLS reaches the backend, which presents its own
                // certificate, verified against the CA for the name the client asked for.
                let passed = try await TCPTestClient.run(
                    port: harness.httpsPort,
                    tls: TLSClientSettings(serverName: "db.test", trustedRootPEM: authority.certificatePEM),
                    payload: .bytes(Array("ping".utf8)), halfClose: false, stopAfter: 4
                )
                #expect(passed.head == Array("ping".utf8))
                #expect(passed.peerCommonName == "backend")
                #expect(backend.acceptedConnections == 1)

                // Terminated: same port, Portico's certificate, HTTP routed to the web stub.
                let (status, name) = try await HTTPTestClient.withConnection(
                    port: harness.httpsPort, tls: TLSClientSettings(serverName: "web.test", trustedRootPEM: authority.certificatePEM)
                ) { client in
                    let response = try await client.send(uri: "/", host: "web.test")
                    return (response.head.status.code, try await client.peerCommonName())
                }
                #expect(status == 200)
                #expect(name == "portico")
                #expect(backend.acceptedConnections == 1)
            }
        } catch {
            try? await web.close()
            try? await backend.close()
            throw error
        }
        try await web.close()
        try await backend.close()
    }

    @Test func aPassthroughHostWithoutABackendClosesTheConnection() async throws {
        let web = try await UpstreamStub.start(name: "web")
        do {
            try await RefusingPort.with { refusing in
                let dead = Endpoint(host: "127.0.0.1", port: refusing)
                _ = try await withServer(web: web, passthrough: dead) { harness in
                    await #expect(throws: (any Error).self) {
                        _ = try await TCPTestClient.run(
                            port: harness.httpsPort,
                            tls: TLSClientSettings(serverName: "db.test", trustedRootPEM: authority.certificatePEM),
                            payload: .bytes(Array("ping".utf8)), halfClose: false, stopAfter: 4, timeout: .seconds(10)
                        )
                    }
                }
            }
        } catch {
            try? await web.close()
            throw error
        }
        try await web.close()
    }

    @Test func proxyProtocolSourceReachesXForwardedFor() async throws {
        let web = try await UpstreamStub.start(name: "web")
        do {
            try await withServer(web: web, passthrough: nil, proxyProtocol: true) { harness in
                let request = "GET / HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n"
                let v1 = "PROXY TCP4 203.0.113.7 192.0.2.1 50000 80\r\n" + request
                let answered = try await TCPTestClient.run(port: harness.httpPort, payload: .bytes(Array(v1.utf8)), halfClose: false)
                let text = String(decoding: answered.head, as: UTF8.self).lowercased()
                #expect(text.hasPrefix("http/1.1 200"))
                #expect(text.contains("x-seen-x-forwarded-for: 203.0.113.7\r\n"))

                // v2 in front of the same request.
                var v2: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C]
                v2 += [198, 51, 100, 9, 192, 0, 2, 1, 0xC3, 0x50, 0x00, 0x50]
                let answeredV2 = try await TCPTestClient.run(port: harness.httpPort, payload: .bytes(v2 + Array(request.utf8)), halfClose: false)
                #expect(String(decoding: answeredV2.head, as: UTF8.self).lowercased().contains("x-seen-x-forwarded-for: 198.51.100.9\r\n"))

                // No header: closed without an answer, and the upstream never sees it.
                let before = web.receivedRequests
                let refused = try await TCPTestClient.run(port: harness.httpPort, payload: .bytes(Array(request.utf8)), halfClose: false, timeout: .seconds(10))
                #expect(refused.receivedCount == 0)
                #expect(web.receivedRequests == before)

                // HTTPS: the header comes before the TLS ClientHello.
                let tlsAnswer = try await HTTPTestClient.withConnection(
                    port: harness.httpsPort,
                    tls: TLSClientSettings(serverName: "web.test", trustedRootPEM: authority.certificatePEM),
                    preamble: Array("PROXY TCP4 203.0.113.8 192.0.2.1 50001 443\r\n".utf8)
                ) { client in
                    try await client.send(uri: "/", host: "web.test")
                }
                #expect(tlsAnswer.head.headers.first(name: "x-seen-x-forwarded-for") == "203.0.113.8")
            }
        } catch {
            try? await web.close()
            throw error
        }
        try await web.close()
    }
}
