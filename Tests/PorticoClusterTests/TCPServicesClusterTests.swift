import Foundation
import NIOCore
import NIOPosix
import PorticoModel
import PorticoTestSupport
import Testing

/// The tcp-services ConfigMap works in cluster mode as in local mode: read from the API server,
/// followed when it changes.
@Suite("TCP services in cluster mode", .serialized)
struct TCPServicesClusterTests {
    /// A port nothing listens on now, below the kernel's ephemeral range (32768 and up), so
    /// that the listeners other tests bind on port 0 in parallel cannot take it between this
    /// probe and Portico's bind. (An ephemeral port, bound and released, was taken that way.)
    static func freePort() async throws -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000..<30_000)
            let probe = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).get()
            if let probe {
                try await probe.close()
                return port
            }
        }
        throw HarnessError(description: "no free port between 20000 and 30000")
    }

    static func configMap(_ data: [Int: String]) -> String {
        let entries = data.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
        return #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"tcp-services","namespace":"portico"},"data":{\#(entries)}}"#
    }

    @Test func aTCPServiceFromTheConfigMapForwardsAndFollowsChanges() async throws {
        let echo = try await TCPEchoStub.start()
        let port = try await Self.freePort()
        try await ClusterHarness.run { cluster in
            try cluster.backend("db", port: echo.port)
            try cluster.apply(Self.configMap([port: "default/db:80"]))
            let portico = try await PorticoInstance.start(
                cluster, tcpServices: NamespacedName(namespace: "portico", name: "tcp-services")
            )
            do {
                try await waitUntil("ready") { portico.isReady }
                try await waitUntil("the TCP service forwards") {
                    let outcome = try? await TCPTestClient.run(port: port, payload: .pattern(count: 4096), timeout: .seconds(5))
                    return outcome?.receivedCount == 4096 && outcome?.matchesPattern == true
                }
                // The entry is removed on the API server: the port stops accepting.
                try cluster.apply(Self.configMap([:]))
                try await waitUntil("the port is closed") {
                    (try? await TCPTestClient.run(port: port, payload: .bytes([1]), timeout: .seconds(2))) == nil
                }
            } catch {
                await portico.stop()
                throw error
            }
            await portico.stop()
        }
        try await echo.close()
    }
}
