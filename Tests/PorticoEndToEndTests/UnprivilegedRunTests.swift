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
        // Readable by the unprivileged user whatever the umask or the checkout's permissions:
        // the folder, its files, and a copy of the executable.
        let binary = folder.path("portico")
        try FileManager.default.copyItem(atPath: CommandLineTests.binary.path, toPath: binary)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        for name in ["web.yaml", "echo.yaml", "tcp.yaml"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.path(name))
        }
        let log = folder.path("portico.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))

        let process = Process()
        let arguments = [
            "run", "--manifests", folder.path, "--bind-address", "127.0.0.1", "--http-port", "0", "--https-port", "0",
            "--admin-port", "0", "--tcp-services-configmap", "portico/tcp", "--log-format", "json", "--log-level", "info",
            "--shutdown-drain-delay", "0s",
        ]
        if getuid() == 0 {
            // setpriv is in util-linux, which every Debian system has.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                [
                    "--reuid=\(Self.unprivilegedID)", "--regid=\(Self.unprivilegedID)", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", binary,
                ] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        let httpPort = try await Self.waitForLine(in: log, message: "proxy listening", process: process)["port"]
        let tcpListening = try await Self.waitForLine(in: log, message: "tcp service listening", process: process)
        #expect(tcpListening["port"] == String(tcpPort))
        let port = try #require(httpPort.flatMap(Int.init))

        let response = try await HTTPTestClient.withConnection(port: port) { client in
            try await client.send(uri: "/", host: "app.test")
        }
        #expect(response.status == 200)
        #expect(response.header("x-stub-name") == "web")

        let outcome = try await TCPTestClient.run(port: tcpPort, payload: .pattern(count: 4096), timeout: .seconds(10))
        #expect(outcome.receivedCount == 4096)
        #expect(outcome.matchesPattern)

        process.terminate()
        try await web.close()
        try await echo.close()
    }

    /// The string fields of the first JSON log line whose message is `message`, waited for at
    /// most 20 s; throws with the log when the process exits or the line never comes.
    static func waitForLine(in log: String, message: String, process: Process) async throws -> [String: String] {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["message"] as? String == message
                else { continue }
                var fields: [String: String] = [:]
                Self.collectStrings(object, into: &fields)
                return fields
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw UnprivilegedRunError(description: "no \"\(message)\" in the log of portico; it says:\n\(text)")
    }

    /// Flattens the string values of a JSON object (metadata may sit in a nested object).
    static func collectStrings(_ object: [String: Any], into fields: inout [String: String]) {
        for (key, value) in object {
            if let string = value as? String {
                fields[key] = string
            } else if let nested = value as? [String: Any] {
                Self.collectStrings(nested, into: &fields)
            }
        }
    }
}

struct UnprivilegedRunError: Error, CustomStringConvertible {
    let description: String
}

/// A port on 127.0.0.1 that nothing listens on right now: bound, read, released.
enum LoopbackPort {
    static func free() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw UnprivilegedRunError(description: "no local port") }
        return port
    }
}
