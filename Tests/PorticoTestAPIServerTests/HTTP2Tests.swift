import Foundation
import PorticoTestAPIServer
import PorticoTestSupport
import Testing

/// The server offers `h2` through ALPN, as kube-apiserver does: every verb, watch streams,
/// faults, recording and authentication behave as over HTTP/1.1, with streams of one connection.
@Suite("TestAPIServer over HTTP/2")
struct HTTP2Tests {
    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

    @Test func curlNegotiatesHTTP2AndTheRequestRecordsIt() async throws {
        try await withServer { server in
            try server.apply(ingress("web"))
            var curl = Curl(server)
            curl.http2 = true
            let list = try await curl.get(Self.ingresses)
            #expect(list.status == 200)
            #expect(list.httpVersion == "2")
            #expect(list.json?["items"]?.arrayValue?.first?["metadata"]?["name"] == "web")
            let created = try await curl.send("POST", Self.ingresses, json: ingress("posted"))
            #expect(created.status == 201)
            #expect(created.httpVersion == "2")

            let plain = try await Curl(server).get(Self.ingresses)
            #expect(plain.httpVersion == "1.1")
            #expect(server.requests.map(\.httpVersion) == ["HTTP/2", "HTTP/2", "HTTP/1.1"])
            #expect(server.requests.map(\.connection) == [1, 2, 3])
            #expect(server.requests.first?.user == TestAPIServer.defaultUser)
        }
    }

    @Test func withHTTP2OffCurlFallsBackToHTTP1() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.http2 = false
        try await withServer(configuration: configuration) { server in
            var curl = Curl(server)
            curl.http2 = true
            let result = try await curl.get(Self.ingresses)
            #expect(result.status == 200)
            #expect(result.httpVersion == "1.1")
            #expect(server.requests.map(\.httpVersion) == ["HTTP/1.1"])
        }
    }

    @Test func errorsAreStatusObjectsOverHTTP2() async throws {
        try await withServer { server in
            var curl = Curl(server, token: "wrong")
            curl.http2 = true
            let unauthorized = try await curl.get(Self.ingresses)
            #expect(unauthorized.status == 401)
            #expect(unauthorized.json?["reason"] == "Unauthorized")
            server.failNextRequests(1, with: .tooManyRequests(retryAfterSeconds: 2))
            curl.token = "t"
            let throttled = try await curl.get(Self.ingresses)
            #expect(throttled.status == 429)
            #expect(throttled.header("retry-after") == "2")
            #expect(throttled.httpVersion == "2")
        }
    }

    @Test func watchEventsAreDataFramesAndEndWithTheStream() async throws {
        try await withServer { server in
            var curl = Curl(server)
            curl.http2 = true
            let version = server.resourceVersion
            let stream = Task { try await curl.get(Self.ingresses + "?watch=1&resourceVersion=\(version)") }
            #expect(await server.waitForWatches(atLeast: 1))
            try server.apply(ingress("a"))
            try server.delete(.ingresses, name: "a")
            server.endWatches()
            let result = try await stream.value
            #expect(result.exitCode == 0)
            #expect(result.httpVersion == "2")
            #expect(result.header("content-type") == "application/json")
            #expect(result.lines.compactMap { $0["type"]?.stringValue } == ["ADDED", "DELETED"])
            #expect(server.requests(verb: "watch").map(\.httpVersion) == ["HTTP/2"])
        }
    }

    /// On HTTP/2 a dropped watch is a reset stream: curl fails the transfer, and the
    /// connection is not closed by the server on the watch's account.
    @Test func droppedWatchResetsItsStream() async throws {
        try await withServer { server in
            var curl = Curl(server)
            curl.http2 = true
            let stream = Task { try await curl.get(Self.ingresses + "?watch=1&resourceVersion=\(server.resourceVersion)") }
            #expect(await server.waitForWatches(atLeast: 1))
            try server.apply(ingress("a"))
            server.dropWatches()
            let dropped = try await stream.value
            #expect(dropped.exitCode != 0)
            #expect(dropped.lines.compactMap { $0["type"]?.stringValue } == ["ADDED"])
            #expect(await server.wait { $0.openWatchCount == 0 })
        }
    }

    @Test func clientCertificateUserIsReadThroughTheConnection() async throws {
        var configuration = TestAPIServer.Configuration()
        configuration.clientCertificates = true
        try await withServer(configuration: configuration) { server in
            var curl = Curl(server, token: nil)
            curl.http2 = true
            curl.clientCertificate = try server.authority.issueClientCertificate(user: "portico-controller", groups: ["system:masters"])
            let result = try await curl.get("/api/v1/services")
            #expect(result.status == 200)
            #expect(result.httpVersion == "2")
            #expect(server.requests.last?.user == "portico-controller")
        }
    }
}
