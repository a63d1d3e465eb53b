import Foundation
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

/// `portico run` as the shipped container runs it: as uid 65532 with every capability dropped
/// (the Dockerfile's `USER 65532:65532`, the manifests' `runAsNonRoot` and `drop: ["ALL"]`).
///
/// The other tests run as whatever user runs the suite, root on CI, where a socket option that
/// needs a capability succeeds and hides the fault: Portico once asked for SO_DEBUG (which
/// needs CAP_NET_ADMIN) on every connection it accepted or opened, and as uid 65532 it reset
/// every client and reached no backend.
@Suite("portico without privileges")
struct UnprivilegedRunTests {
    static let unprivilegedID = 65532

    @Test func servesHTTPAndTCPServicesWithoutCapabilities() async throws {
        let web = try await UpstreamStub.start(name: "web")
        let echo = try await TCPEchoStub.start()
        let tcpPort = try await LoopbackPort.free()
        let tcpServices = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: tcp, namespace: portico}
            data: {"\(tcpPort)": "default/echo:80"}

            """
        let folder = try TemporaryFolder(
            prefix: "portico-unprivileged",
            files: [
                "web.yaml": ManifestYAML.route("web", host: "app.test", port: web.port),
                "echo.yaml": ManifestYAML.service("echo", port: echo.port),
                "tcp.yaml": tcpServices,
            ]
        )
        defer { folder.remove() }
        // Reachable by the unprivileged user whatever the umask or the checkout's permissions:
        // the folder, its files, and the executable linked into it (a hard link: a copy of the
        // 110 MB debug build would hold one of the suite's few threads for a second or more).
        let binary = folder.path("portico")
        let mode = (try FileManager.default.attributesOfItem(atPath: PorticoProcess.binary.path)[.posixPermissions] as? Int) ?? 0
        if mode & 0o005 != 0o005 || link(PorticoProcess.binary.path, binary) != 0 {
            // Not readable and executable by others, or on another file system: a copy.
            try FileManager.default.copyItem(atPath: PorticoProcess.binary.path, toPath: binary)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        for name in ["web.yaml", "echo.yaml", "tcp.yaml"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.path(name))
        }
        let arguments = [
            "run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0",
            "--admin-port", "0", "--tcp-services-configmap", "portico/tcp", "--shutdown-drain-delay", "0s",
        ]
        // setpriv is in util-linux, which every Debian system has.
        let launcher =
            getuid() == 0
            ? [
                "/usr/bin/setpriv", "--reuid=\(Self.unprivilegedID)", "--regid=\(Self.unprivilegedID)", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            ] : []
        let portico = try PorticoProcess(arguments, binary: URL(fileURLWithPath: binary), launcher: launcher)
        #expect(try await portico.waitForOutput("tcp service listening"), "\(portico.output)")
        #expect(portico.boundPort(after: "tcp service listening") == tcpPort)
        let port = try #require(portico.boundPort(after: "proxy listening"), "\(portico.output)")

        let response = try await HTTPTestClient.withConnection(port: port) { client in
            try await client.send(uri: "/", host: "app.test")
        }
        #expect(response.status == 200)
        #expect(response.header("x-stub-name") == "web")

        let outcome = try await TCPTestClient.run(port: tcpPort, payload: .pattern(count: 4096), timeout: .seconds(10))
        #expect(outcome.receivedCount == 4096)
        #expect(outcome.matchesPattern)

        portico.signal(SIGTERM)
        #expect(try await portico.waitForExit(timeout: .seconds(15)) == 0)
        try await web.close()
        try await echo.close()
    }
}

/// The listener had no local address.
struct NoLocalPort: Error {}

/// A port on 127.0.0.1 that nothing listens on right now: bound, read, released.
enum LoopbackPort {
    static func free() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw NoLocalPort() }
        return port
    }
}
