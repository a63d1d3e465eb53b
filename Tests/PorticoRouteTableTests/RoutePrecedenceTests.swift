import PorticoRouteTable
import Testing

/// Precedence is a value: longer paths win, and at equal length Exact beats Prefix.
@Suite struct RoutePrecedenceTests {
    struct Case: Sendable, CustomStringConvertible {
        let higher: PathMatch
        let lower: PathMatch
        var description: String { "\(higher) > \(lower)" }
    }

    static let cases: [Case] = [
        Case(higher: .prefix(written: "/foo/bar"), lower: .prefix(written: "/foo")),
        Case(higher: .prefix(written: "/foo"), lower: .prefix(written: "/")),
        Case(higher: .exact("/foo"), lower: .prefix(written: "/foo")),
        Case(higher: .exact("/foo"), lower: .prefix(written: "/foo/")),
        Case(higher: .exact("/"), lower: .prefix(written: "/")),
        Case(higher: .prefix(written: "/aaa/bbb"), lower: .prefix(written: "/aaa")),
    ]

    /// Pairs no single request matches both of: precedence still orders them (for display).
    static let valueOnlyCases: [Case] = [
        Case(higher: .prefix(written: "/foo/bar"), lower: .exact("/foo")),
        Case(higher: .exact("/foo/"), lower: .exact("/foo")),
    ]

    @Test(arguments: cases + valueOnlyCases)
    func higherPrecedenceWins(_ c: Case) {
        #expect(c.higher.precedence > c.lower.precedence)
        #expect(!(c.lower.precedence > c.higher.precedence))
    }

    @Test func equalLengthAndKindAreEqual() {
        #expect(PathMatch.prefix(written: "/abc").precedence == PathMatch.prefix(written: "/xyz").precedence)
        #expect(PathMatch.exact("/abc").precedence == PathMatch.exact("/xyz").precedence)
        #expect(RoutePrecedence(length: 4, isExact: true) > RoutePrecedence(length: 4, isExact: false))
        #expect(RoutePrecedence(length: 5, isExact: false) > RoutePrecedence(length: 4, isExact: true))
    }

    /// The same pairs through a virtual host, for a request both match.
    @Test(arguments: cases)
    func virtualHostPicksTheHigher(_ c: Case) throws {
        let request = try #require(
            ["/foo/bar", "/foo", "/foo/", "/", "/aaa/bbb"].first { c.higher.matches(Substring($0)) && c.lower.matches(Substring($0)) },
            "the case needs a request both matches"
        )
        for routes in [[testRoute(c.higher, "higher"), testRoute(c.lower, "lower")],
                       [testRoute(c.lower, "lower"), testRoute(c.higher, "higher")]] {
            let host = VirtualHost(match: .any, routes: routes)
            #expect(serviceName(host.route(forPath: Substring(request))) == "higher")
            #expect(host.routes.first?.match == c.higher, "routes are listed highest precedence first")
        }
    }
}
