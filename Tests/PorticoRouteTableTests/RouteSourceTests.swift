import Testing

@testable import PorticoRouteTable

/// `RouteSource` hashes its names once; equality and hashing must still follow the names.
@Suite struct RouteSourceTests {
    @Test func sourcesAreEqualExactlyWhenTheirNamesAre() {
        let source = RouteSource(namespace: "shop", ingress: "web", service: "api")
        let same = RouteSource(namespace: String("shop".reversed().reversed()), ingress: "web", service: "api")
        #expect(source == same)
        #expect(source.hashValue == same.hashValue)
        let others = [
            RouteSource(namespace: "shop", ingress: "web", service: "apj"),
            RouteSource(namespace: "shop", ingress: "wea", service: "api"),
            RouteSource(namespace: "shoq", ingress: "web", service: "api"),
            // The same characters split differently.
            RouteSource(namespace: "sho", ingress: "pweb", service: "api"),
            RouteSource(namespace: "shop", ingress: "", service: "webapi"),
        ]
        for other in others {
            #expect(source != other, "\(other)")
        }
        // As dictionary keys (how the proxy finds a route's metrics).
        var counts: [RouteSource: Int] = [:]
        for key in [source] + others + [same] { counts[key, default: 0] += 1 }
        #expect(counts.count == others.count + 1)
        #expect(counts[source] == 2)
    }
}
