import Foundation
import Logging
import NIOCore
import PorticoController
import PorticoProxy
import PorticoRouting
import PorticoTestSupport
import Testing

/// A whole Portico process in a test: local mode on a temporary manifest folder, the proxy and
/// the admin listener on ephemeral 127.0.0.1 ports, wired by the same `Bootstrap` the executable
/// uses.
final class PorticoHarness: Sendable {
    let folder: TemporaryFolder
    let services: Bootstrap.Services
    let proxyPort: Int
    let adminPort: Int

    private init(folder: TemporaryFolder, services: Bootstrap.Services, proxyPort: Int, adminPort: Int) {
        self.folder = folder
        self.services = services
        self.proxyPort = proxyPort
        self.adminPort = adminPort
    }

    /// Writes `files` (name → YAML) into a new folder, starts Portico on it, runs `body`, stops.
    static func run(
        files: [String: String],
        translation: TranslationOptions = TranslationOptions(),
        _ body: @Sendable (PorticoHarness) async throws -> Void
    ) async throws {
        let folder = try TemporaryFolder(prefix: "portico-e2e", files: files)
        defer { folder.remove() }
        var proxy = ProxyConfiguration(bindHost: "127.0.0.1", httpPort: 0, workers: 2)
        proxy.httpsPort = 0
        let configuration = Configuration(
            source: .manifests(directory: folder.path),
            proxy: proxy,
            admin: AdminServer.Configuration(bindHost: "127.0.0.1", port: 0),
            translation: translation
        )
        let services = try Bootstrap.makeServices(configuration: configuration, logger: Logger(label: "e2e"), registry: nil)
        let proxyPort = try await services.proxy.start()
        let adminPort = try await services.admin.start()
        let harness = PorticoHarness(folder: folder, services: services, proxyPort: proxyPort, adminPort: adminPort)
        let reconcile = Task { try await services.reconcile.run() }
        do {
            try await harness.waitUntil("the first table is published") { services.readiness.isReady }
            try await body(harness)
            reconcile.cancel()
            _ = await reconcile.result
            try await services.proxy.shutdown()
            try await services.admin.shutdown()
        } catch {
            reconcile.cancel()
            _ = await reconcile.result
            try? await services.proxy.shutdown()
            try? await services.admin.shutdown()
            throw error
        }
    }

    /// The HTTPS listener's port (every harness runs one, with the generated default certificate).
    var httpsPort: Int {
        get throws { try #require(services.proxy.httpsPort) }
    }

    /// Replaces one manifest file the way editors do: a temporary file renamed over it.
    func write(_ name: String, _ text: String) throws {
        try folder.atomicSave(name, text)
    }

    /// One request through the proxy on a new connection.
    func get(host: String, path: String) async throws -> HTTPTestClient.Response {
        try await HTTPTestClient.withConnection(port: proxyPort) { client in
            try await client.send(uri: path, host: host)
        }
    }

    /// Polls `condition` every 20 ms for at most `timeout`; throws when it never holds.
    func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessTimeout(what: what)
    }

    struct HarnessTimeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting until \(what)" }
    }
}
