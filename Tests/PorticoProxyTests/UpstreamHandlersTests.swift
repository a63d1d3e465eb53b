import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOSSL
import NIOTLS
import PorticoRouteTable
import Testing

@testable import PorticoProxy

/// The small handlers of upstream connections on an EmbeddedChannel, and how TLS failures map
/// to answers and metrics.
@Suite struct UpstreamHandlersTests {
    @Test func handshakeHandlerReportsTheNegotiatedProtocolAndLeaves() throws {
        let channel = EmbeddedChannel()
        let handler = UpstreamTLSHandshakeHandler(eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(handler)
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: "h2"))
        #expect(try handler.result.futureResult.wait() == "h2")
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: UpstreamTLSHandshakeHandler.self) }
        #expect(try channel.finish().isClean)
    }

    @Test func handshakeHandlerFailsOnErrorOrClose() throws {
        let failing = EmbeddedChannel()
        let first = UpstreamTLSHandshakeHandler(eventLoop: failing.eventLoop)
        try failing.pipeline.syncOperations.addHandler(first)
        failing.pipeline.fireErrorCaught(NIOSSLError.handshakeFailed(.sslError([])))
        #expect(throws: NIOSSLError.self) { try first.result.futureResult.wait() }
        #expect(throws: NIOSSLError.self) { try failing.throwIfErrorCaught() }
        _ = try failing.finish()

        let closing = EmbeddedChannel()
        let second = UpstreamTLSHandshakeHandler(eventLoop: closing.eventLoop)
        try closing.pipeline.syncOperations.addHandler(second)
        try closing.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        _ = try closing.finish()
        #expect(throws: (any Error).self) { try second.result.futureResult.wait() }
    }

    @Test func http2RequestHeadGetsTrailersAndAHost() throws {
        let channel = EmbeddedChannel(handler: HTTP2RequestHeadHandler(fallbackAuthority: "10.0.0.1:8080"))
        var head = HTTPRequestHead(version: .http1_0, method: .POST, uri: "/pkg.Service/Call")
        head.headers.add(name: "content-type", value: "application/grpc")
        try channel.writeOutbound(HTTPClientRequestPart.head(head))
        try channel.writeOutbound(HTTPClientRequestPart.end(nil))
        guard case .head(let written) = try channel.readOutbound(as: HTTPClientRequestPart.self) else {
            Issue.record("expected a head")
            return
        }
        #expect(written.headers["te"] == ["trailers"])
        #expect(written.headers["host"] == ["10.0.0.1:8080"])
        #expect(written.headers["content-type"] == ["application/grpc"])
        guard case .end = try channel.readOutbound(as: HTTPClientRequestPart.self) else {
            Issue.record("expected the end")
            return
        }
        var withHost = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        withHost.headers.add(name: "host", value: "api.test")
        try channel.writeOutbound(HTTPClientRequestPart.head(withHost))
        guard case .head(let kept) = try channel.readOutbound(as: HTTPClientRequestPart.self) else {
            Issue.record("expected a head")
            return
        }
        #expect(kept.headers["host"] == ["api.test"])
        #expect(try channel.finish().isClean)
    }

    @Test func tlsFailuresAre502WithTheTLSReason() {
        let endpoint = Endpoint(host: "10.0.0.1", port: 443)
        let cluster = ClusterID(namespace: "default", service: "api", port: "443")
        for error in [ProxyError.tlsFailure(endpoint, "certificate verify failed"), .tlsUnavailable(cluster)] {
            #expect(error.status == .badGateway)
            #expect(error.metricsReason == .tls)
            #expect(!error.isRetryable)
        }
        #expect(UpstreamErrorReason.tls.rawValue == "tls")
    }
}
