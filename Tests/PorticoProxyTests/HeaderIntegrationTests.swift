import NIOCore
import NIOHTTP1
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

@Suite("Forwarded and hop-by-hop headers through a real proxy")
struct HeaderIntegrationTests {
    @Test func forwardedHeadersAreSetAndHostIsPreserved() async throws {
        let stub = try await UpstreamStub.start(name: "h")
        try await withProxy(makeTable([TestRoute(service: "h", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await proxy.send(uri: "/x", host: "Shop.Example.com:81")
            #expect(response.header("x-seen-host") == "Shop.Example.com:81")
            #expect(response.header("x-seen-x-forwarded-for") == "127.0.0.1")
            #expect(response.header("x-seen-x-real-ip") == "127.0.0.1")
            #expect(response.header("x-seen-x-forwarded-proto") == "http")
            #expect(response.header("x-seen-x-forwarded-host") == "Shop.Example.com:81")
            #expect(response.header("x-seen-x-forwarded-port") == String(proxy.port))
        }
    }

    @Test func existingForwardedForIsKeptAndAppended() async throws {
        let stub = try await UpstreamStub.start(name: "h")
        try await withProxy(makeTable([TestRoute(service: "h", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await proxy.send(
                headers: [("X-Forwarded-For", "203.0.113.7"), ("x-forwarded-for", "10.0.0.1")]
            )
            #expect(response.header("x-seen-x-forwarded-for") == "203.0.113.7, 10.0.0.1, 127.0.0.1")
        }
    }

    @Test func hopByHopRequestHeadersAreRemoved() async throws {
        let stub = try await UpstreamStub.start(name: "h")
        try await withProxy(makeTable([TestRoute(service: "h", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await proxy.send(headers: [
                ("Connection", "keep-alive, X-Secret-Hop"), ("X-Secret-Hop", "1"), ("Keep-Alive", "timeout=5"),
                ("TE", "trailers"), ("Upgrade", "websocket"), ("Proxy-Connection", "keep-alive"),
                ("Proxy-Authorization", "Basic abc"), ("X-End-To-End", "kept"),
            ])
            #expect(response.status == 200)
            for name in ["connection", "x-secret-hop", "keep-alive", "te", "upgrade", "proxy-connection", "proxy-authorization"] {
                #expect(response.header("x-seen-\(name)") == nil, "\(name) was forwarded")
            }
            #expect(response.header("x-seen-x-end-to-end") == "kept")
        }
    }

    @Test func hopByHopResponseHeadersAreRemoved() async throws {
        let stub = try await UpstreamStub.start(
            name: "h",
            behavior: .fixed(status: 200, headers: [
                ("Connection", "X-Upstream-Hop"), ("X-Upstream-Hop", "1"), ("Keep-Alive", "timeout=5"),
                ("Proxy-Authenticate", "Basic"), ("X-Visible", "yes"),
            ], body: "ok")
        )
        try await withProxy(makeTable([TestRoute(service: "h", endpoints: [stub.endpoint])]), stubs: [stub]) { proxy in
            let response = try await proxy.send()
            #expect(response.bodyString == "ok")
            #expect(response.header("x-upstream-hop") == nil)
            #expect(response.header("keep-alive") == nil)
            #expect(response.header("proxy-authenticate") == nil)
            #expect(response.header("connection") == nil)
            #expect(response.header("x-visible") == "yes")
        }
    }
}
