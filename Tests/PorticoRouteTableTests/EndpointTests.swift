import Testing

@testable import PorticoRouteTable

/// `Endpoint` hashes its host once, when made; equality and hashing must still be those of
/// its host and port.
@Suite struct EndpointTests {
    @Test func equalAndHashedAlikeExactlyWhenHostAndPortAre() {
        let endpoints = [
            Endpoint(host: "10.0.0.1", port: 80), Endpoint(host: "10.0.0.1", port: 8080),
            Endpoint(host: "10.0.0.2", port: 80), Endpoint(host: "fd00::1", port: 80),
        ]
        for (i, a) in endpoints.enumerated() {
            for (j, b) in endpoints.enumerated() {
                #expect((a == b) == (i == j))
            }
            let again = Endpoint(host: String(a.host), port: a.port)
            #expect(a == again)
            #expect(a.hashValue == again.hashValue)
        }
        var byEndpoint: [Endpoint: Int] = [:]
        for (index, endpoint) in endpoints.enumerated() { byEndpoint[endpoint] = index }
        #expect(byEndpoint[Endpoint(host: "10.0.0.2", port: 80)] == 2)
        #expect(byEndpoint[Endpoint(host: "10.0.0.3", port: 80)] == nil)
        #expect(Set(endpoints + endpoints).count == endpoints.count)
    }
}
