import NIOHTTP1
import Testing

@testable import PorticoProxy

@Suite("DownstreamKeepAlive")
struct DownstreamKeepAliveTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var version: HTTPVersion
        var method: HTTPMethod = .GET
        var contentLength: Bool
        var requestKeepAlive: Bool
        var keepsOpen: Bool
        var connectionHeader: String?
        var testDescription: String {
            "\(self.version) \(self.method) length=\(self.contentLength) ka=\(self.requestKeepAlive)"
        }
    }

    @Test(arguments: [
        Case(version: .http1_1, contentLength: true, requestKeepAlive: true, keepsOpen: true, connectionHeader: nil),
        Case(version: .http1_1, contentLength: false, requestKeepAlive: true, keepsOpen: true, connectionHeader: nil),
        Case(version: .http1_1, contentLength: true, requestKeepAlive: false, keepsOpen: false, connectionHeader: "close"),
        Case(version: .http1_0, contentLength: true, requestKeepAlive: true, keepsOpen: true, connectionHeader: "keep-alive"),
        Case(version: .http1_0, contentLength: false, requestKeepAlive: true, keepsOpen: false, connectionHeader: nil),
        Case(version: .http1_0, method: .HEAD, contentLength: false, requestKeepAlive: true, keepsOpen: true, connectionHeader: "keep-alive"),
        Case(version: .http1_0, contentLength: true, requestKeepAlive: false, keepsOpen: false, connectionHeader: nil),
    ])
    func decidesAndAnnounces(_ testCase: Case) {
        var head = HTTPResponseHead(version: testCase.version, status: .ok)
        if testCase.contentLength { head.headers.add(name: "content-length", value: "1") }
        let keepsOpen = DownstreamKeepAlive.apply(
            to: &head,
            method: testCase.method,
            requestKeepAlive: testCase.requestKeepAlive
        )
        #expect(keepsOpen == testCase.keepsOpen)
        #expect(head.headers.first(name: "connection") == testCase.connectionHeader)
    }
}
