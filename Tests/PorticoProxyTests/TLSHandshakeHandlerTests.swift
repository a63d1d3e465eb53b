import MetricsTestKit
import NIOCore
import NIOEmbedded
import NIOSSL
import NIOTLS
import Testing

@testable import PorticoProxy

/// `TLSHandshakeHandler` on an EmbeddedChannel: it counts each handshake once by outcome and
/// reason, and closes a connection whose handshake misses the deadline.
@Suite struct TLSHandshakeHandlerTests {
    let metrics = TestMetrics()

    func count(_ label: String, _ key: String, _ value: String) throws -> Int64 {
        try metrics.expectCounter(label, [(key, value)]).totalValue
    }

    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            TLSHandshakeHandler(metrics: TLSMetrics(factory: metrics), timeout: .seconds(1))
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        return channel
    }

    @Test func aCompletedHandshakeCountsOnceAndLaterErrorsDoNot() throws {
        let channel = try channel()
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: "http/1.1"))
        channel.pipeline.fireErrorCaught(NIOSSLError.uncleanShutdown)
        #expect(throws: NIOSSLError.self) { try channel.throwIfErrorCaught() }
        _ = try channel.finish()
        #expect(try count("portico_tls_handshakes_total", "result", "success") == 1)
        #expect(try count("portico_tls_handshakes_total", "result", "failure") == 0)
    }

    @Test func aCompletedHandshakeLeavesThePipeline() throws {
        let channel = try channel()
        #expect(throws: Never.self) { try channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self) }
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: "h2"))
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self) }
        // The deadline went with it.
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test func aFailureCountsItsReason() throws {
        let channel = try channel()
        channel.pipeline.fireErrorCaught(NIOSSLError.uncleanShutdown)
        _ = try? channel.throwIfErrorCaught()
        _ = try channel.finish()
        #expect(try count("portico_tls_handshakes_total", "result", "failure") == 1)
        #expect(try count("portico_tls_handshake_errors_total", "reason", "closed") == 1)
    }

    @Test func aClientThatLeavesMidHandshakeCountsAsClosed() throws {
        let channel = try channel()
        channel.pipeline.fireChannelInactive()
        _ = try? channel.finish()
        #expect(try count("portico_tls_handshake_errors_total", "reason", "closed") == 1)
    }

    @Test func aHandshakePastTheDeadlineIsClosed() throws {
        let channel = try channel()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(try count("portico_tls_handshake_errors_total", "reason", "timeout") == 1)
        #expect(try count("portico_tls_handshakes_total", "result", "failure") == 1)
    }

    @Test(arguments: [
        ("error:1000009c:SSL routines:OPENSSL_internal:HTTP_REQUEST", TLSMetrics.FailureReason.notTLS),
        ("error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL", .protocolVersion),
        ("error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER", .noSharedCipher),
        ("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA", .clientAlert),
        ("something else", .other),
    ])
    func reasonsAreReadFromBoringSSLCodes(text: String, reason: TLSMetrics.FailureReason) {
        struct Described: Error, CustomStringConvertible { let description: String }
        #expect(TLSMetrics.reason(for: Described(description: text)) == reason)
    }
}
