import NIOCore
import NIOHTTP1
import PorticoRouteTable
import Testing

@testable import PorticoProxy

@Suite("RequestTarget, RouteTableStore and ProxyError")
struct SmallTypesTests {
    @Test(arguments: [
        ("/a/b?c", nil, "/a/b?c"),
        ("http://h.example:81/x?y", "h.example:81", "/x?y"),
        ("http://h.example", "h.example", "/"),
        ("http://h.example?q", "h.example", "/?q"),
        ("*", nil, "*"),
    ] as [(String, String?, String)])
    func requestTargetSplitsAuthorityAndPath(uri: String, authority: String?, path: String) {
        let target = RequestTarget(uri)
        #expect(target.authority.map(String.init) == authority)
        #expect(String(target.path) == path)
    }

    @Test func storePublishesWholeTables() {
        let store = RouteTableStore()
        #expect(store.current.generation == 0)
        store.publish(RouteTable(generation: 7, virtualHosts: []))
        #expect(store.current.generation == 7)
    }

    @Test func errorsMapToStatusAndReason() {
        let endpoint = Endpoint(host: "10.0.0.1", port: 80)
        #expect(ProxyError.noRoute.status == .notFound)
        #expect(ProxyError.noRoute.metricsReason == nil)
        #expect(ProxyError.noEndpoints.status == .serviceUnavailable)
        #expect(ProxyError.connectRefused(endpoint).status == .badGateway)
        #expect(ProxyError.upstreamReset(endpoint).isRetryable)
        #expect(!ProxyError.responseTimeout(endpoint).isRetryable)
        #expect(ProxyError.connectFailure(ChannelError.connectTimeout(.seconds(1)), endpoint: endpoint) == .connectTimeout(endpoint))
        #expect(ProxyError.connectTimeout(endpoint).status == .gatewayTimeout)
        #expect(ProxyError.connectTimeout(endpoint).metricsReason == .timeout)
    }
}
