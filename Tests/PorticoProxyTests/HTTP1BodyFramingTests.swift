import NIOHTTP1
import PorticoTestSupport
import Testing

@testable import PorticoProxy

/// Framing a head from the fields `HeaderRewriter` found while rewriting it (no scan) gives the
/// very header list and answer that framing it by looking gives, for any head the rewriter can
/// be handed.
@Suite struct HTTP1BodyFramingTests {
    private static let pool: [(String, String)] = [
        ("Host", "api.example"), ("Content-Length", "12"), ("content-length", "0"),
        ("Transfer-Encoding", "chunked"), ("transfer-encoding", "gzip, chunked"), ("Transfer-Encoding", "gzip"),
        ("Connection", "keep-alive"), ("Connection", "close, x-hop"), ("x-hop", "1"), ("TE", "trailers"),
        ("Content-Type", "application/grpc"), ("Upgrade", "websocket"), ("Keep-Alive", "timeout=5"),
        ("Expect", "100-continue"), ("Accept", "*/*"),
    ]
    private static let bodies: [HTTP1BodyFraming.Body] = [.none, .expected, .unlikely]
    private static let versions: [HTTPVersion] = [.http1_0, .http1_1]

    private static func fields(_ random: inout SplitMix64) -> [(String, String)] {
        (0..<Int.random(in: 0...6, using: &random)).map { _ in Self.pool[Int.random(in: 0..<Self.pool.count, using: &random)] }
    }

    private static func list(_ headers: HTTPHeaders) -> [String] {
        headers.map { "\($0.name): \($0.value)" }
    }

    private func expectSameFraming(
        _ headers: HTTPHeaders,
        known: HTTP1BodyFraming.KnownFields,
        version: HTTPVersion,
        _ comment: Comment
    ) {
        for body in Self.bodies {
            var looked = headers
            var told = headers
            let lookedChunked = HTTP1BodyFraming.frame(&looked, body: body, version: version)
            let toldChunked = HTTP1BodyFraming.frame(&told, body: body, version: version, known: known)
            #expect(toldChunked == lookedChunked, "\(body) \(comment)")
            #expect(Self.list(told) == Self.list(looked), "\(body) \(comment)")
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func rewrittenRequestsFrameAlikeEitherWay(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let method = [HTTPMethod.GET, .POST, .PUT, .DELETE, .TRACE][Int.random(in: 0..<5, using: &random)]
            var head = HTTPRequestHead(version: Self.versions[Int.random(in: 0..<2, using: &random)], method: method, uri: "/")
            head.headers = HTTPHeaders(Self.fields(&random))
            let before = Self.list(head.headers)
            let facts = HeaderRewriter.rewriteRequest(&head, clientAddress: "10.0.0.9", listenerPort: "80")
            for version in Self.versions {
                self.expectSameFraming(head.headers, known: facts.framing, version: version, "\(before)")
            }
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func rewrittenResponsesFrameAlikeEitherWay(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            var head = HTTPResponseHead(version: Self.versions[Int.random(in: 0..<2, using: &random)], status: .ok)
            head.headers = HTTPHeaders(Self.fields(&random))
            let before = Self.list(head.headers)
            let facts = HeaderRewriter.rewriteResponse(&head)
            for version in Self.versions {
                self.expectSameFraming(head.headers, known: facts.framing, version: version, "\(before)")
            }
        }
    }
}
