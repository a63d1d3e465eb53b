import NIOCore
import NIOEmbedded
import NIOHTTP1
import PorticoRouteTable
import Testing

@testable import PorticoProxy

/// Portico's own errors as gRPC statuses: the mapping table, what counts as a gRPC request,
/// and the trailers-only answer on the HTTP/1.1 edge pipeline.
@Suite struct GRPCStatusTests {
    static let endpoint = Endpoint(host: "127.0.0.1", port: 1)

    @Test(arguments: [
        (ProxyError.noRoute, 12),
        (.noEndpoints, 14),
        (.connectRefused(GRPCStatusTests.endpoint), 14),
        (.upstreamReset(GRPCStatusTests.endpoint), 14),
        (.connectTimeout(GRPCStatusTests.endpoint), 4),
        (.responseTimeout(GRPCStatusTests.endpoint), 4),
    ])
    func mapsProxyErrors(_ error: ProxyError, _ code: Int) {
        let status = GRPCStatus(error)
        #expect(status.code == code)
        #expect(status.message.utf8.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "%") })
    }

    @Test(arguments: [
        ("application/grpc", true),
        ("application/grpc+proto", true),
        ("Application/GRPC; charset=utf-8", true),
        ("application/grpc-web", true),
        ("application/json", false),
        ("application/grp", false),
    ])
    func recognisesGRPCRequests(_ contentType: String, _ expected: Bool) {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/", headers: ["content-type": contentType])
        #expect(GRPCStatus.isGRPC(head) == expected)
    }

    @Test func unroutedGRPCCallOverHTTP1IsATrailersOnlyAnswer() throws {
        let configuration = ProxyConfiguration(httpPort: 0, workers: 1)
        let channel = EmbeddedChannel()
        let loop = LoopState(eventLoop: channel.embeddedEventLoop, configuration: configuration, seed: 0)
        try channel.pipeline.syncOperations.configureEdgePipeline(
            configuration: configuration, routes: RouteTableStore(.empty), loop: loop, accessLogger: nil
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(
            ByteBuffer(string: "POST /a.B/C HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc\r\nContent-Length: 5\r\n\r\n\0\0\0\0\0")
        )
        var text = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
        }
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("grpc-status: 12\r\n"))
        #expect(text.contains("content-type: application/grpc\r\n"))
        #expect(text.hasSuffix("content-length: 0\r\n\r\n"))
        #expect(channel.isActive)
        _ = try channel.finish()
    }
}
