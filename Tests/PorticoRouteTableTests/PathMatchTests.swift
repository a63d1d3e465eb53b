import PorticoRouteTable
import Testing

/// The rows of the Kubernetes Ingress documentation's "Examples" table for path matching,
/// checked both on `PathMatch.matches` and through `VirtualHost`'s indexed lookup.
@Suite struct PathMatchTests {
    struct Row: CustomStringConvertible, Sendable {
        /// `(kind, path)`; the route for entry `i` is named `r<i>`.
        let paths: [(String, String)]
        let request: String
        /// The expected winner's path index, or nil for "no match (default backend)".
        let winner: Int?

        var description: String { "\(paths) <- \(request)" }

        var matches: [PathMatch] {
            paths.map { kind, path in kind == "Exact" ? PathMatch.exact(path) : PathMatch.prefix(written: path) }
        }
    }

    static let documentationRows: [Row] = [
        Row(paths: [("Prefix", "/")], request: "/", winner: 0),
        Row(paths: [("Prefix", "/")], request: "/anything/at/all", winner: 0),
        Row(paths: [("Prefix", "/")], request: "/foo/", winner: 0),
        Row(paths: [("Exact", "/foo")], request: "/foo", winner: 0),
        Row(paths: [("Exact", "/foo")], request: "/bar", winner: nil),
        Row(paths: [("Exact", "/foo")], request: "/foo/", winner: nil),
        Row(paths: [("Exact", "/foo/")], request: "/foo", winner: nil),
        Row(paths: [("Prefix", "/foo")], request: "/foo", winner: 0),
        Row(paths: [("Prefix", "/foo")], request: "/foo/", winner: 0),
        Row(paths: [("Prefix", "/foo/")], request: "/foo", winner: 0),
        Row(paths: [("Prefix", "/foo/")], request: "/foo/", winner: 0),
        Row(paths: [("Prefix", "/aaa/bb")], request: "/aaa/bbb", winner: nil),
        Row(paths: [("Prefix", "/aaa/bbb")], request: "/aaa/bbb", winner: 0),
        Row(paths: [("Prefix", "/aaa/bbb/")], request: "/aaa/bbb", winner: 0),
        Row(paths: [("Prefix", "/aaa/bbb")], request: "/aaa/bbb/", winner: 0),
        Row(paths: [("Prefix", "/aaa/bbb")], request: "/aaa/bbb/ccc", winner: 0),
        Row(paths: [("Prefix", "/aaa/bbb")], request: "/aaa/bbbxyz", winner: nil),
        Row(paths: [("Prefix", "/"), ("Prefix", "/aaa")], request: "/aaa/ccc", winner: 1),
        Row(paths: [("Prefix", "/"), ("Prefix", "/aaa"), ("Prefix", "/aaa/bbb")], request: "/aaa/bbb", winner: 2),
        Row(paths: [("Prefix", "/"), ("Prefix", "/aaa"), ("Prefix", "/aaa/bbb")], request: "/ccc", winner: 0),
        Row(paths: [("Prefix", "/aaa")], request: "/ccc", winner: nil),
        Row(paths: [("Prefix", "/foo"), ("Exact", "/foo")], request: "/foo", winner: 1),
        Row(paths: [("Exact", "/foo"), ("Prefix", "/foo")], request: "/foo", winner: 0),
    ]

    @Test(arguments: documentationRows)
    func indexedLookupFollowsTheDocumentation(_ row: Row) {
        let routes = row.matches.enumerated().map { testRoute($1, "r\($0)") }
        let host = VirtualHost(match: .any, routes: routes)
        #expect(serviceName(host.route(forPath: Substring(row.request))) == row.winner.map { "r\($0)" })
    }

    @Test(arguments: documentationRows)
    func referenceMatcherFollowsTheDocumentation(_ row: Row) {
        let matching = row.matches.enumerated().filter { $1.matches(Substring(row.request)) }
        let best = matching.max { $0.element.precedence < $1.element.precedence }
        #expect(best?.offset == row.winner)
    }

    @Test func prefixIsNormalisedWithoutTrailingSlash() {
        #expect(PathMatch.prefix(written: "/foo/") == .prefix("/foo"))
        #expect(PathMatch.prefix(written: "/foo//") == .prefix("/foo"))
        #expect(PathMatch.prefix(written: "/") == .prefix(""))
        #expect(PathMatch.prefix(written: "/").path == "/")
    }

    @Test func queryStringIsIgnoredByTableLookup() {
        let table = RouteTable(
            generation: 1,
            virtualHosts: [VirtualHost(match: .any, routes: [testRoute(.exact("/foo"), "exact")])]
        )
        #expect(serviceName(table.lookup(host: "x", path: "/foo?a=1")) == "exact")
        #expect(serviceName(table.lookup(host: "x", path: "/foo/?a=1")) == nil)
    }
}
