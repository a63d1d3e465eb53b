// portico-route-bench: nanoseconds per `RouteTable.lookup` at 10, 1,000 and 100,000 routes.
//
// The tables are built directly from PorticoRouteTable values (no translation), with hosts and
// paths shaped like real ones: ten paths per host (indexed: hash maps), then five (scanned in
// precedence order), a mix of Exact and Prefix, a few wildcard hosts. Each size is probed with the same kinds of requests (exact hits, deep prefix hits,
// query strings, mixed-case hosts with ports, unknown hosts and unknown paths), so the numbers
// compare the table's cost as it grows rather than different workloads.
//
// Usage: portico-route-bench [--quick]
//   --quick   fewer lookups per sample, for smoke tests.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PorticoRouteTable

let arguments = CommandLine.arguments.dropFirst()
let quick = arguments.contains("--quick")
if let unknown = arguments.first(where: { $0 != "--quick" }) {
    print("portico-route-bench: unknown argument \(unknown)\nusage: portico-route-bench [--quick]")
    exit(2)
}

let lookupsPerSample = quick ? 200_000 : 1_000_000
let samples = quick ? 3 : 7
let sizes = [10, 1_000, 100_000]

print("RouteTable.lookup, \(samples) samples of \(lookupsPerSample) lookups each (ContinuousClock)")
for pathsPerHost in [10, 5] {
    let shape = pathsPerHost > VirtualHost.scannedRoutes ? "indexed" : "scanned"
    print("")
    print("\(pathsPerHost) paths per host (\(shape))")
    print(pad("routes", 9) + pad("hosts", 8) + pad("ns/lookup median", 18) + pad("min", 8) + pad("max", 8) + "hits")
    var results: [BenchResult] = []
    for size in sizes {
        let fixture = TableFixture(routes: size, pathsPerHost: pathsPerHost)
        let queries = fixture.queries()
        let result = measureLookups(table: fixture.table, queries: queries, lookups: lookupsPerSample, samples: samples)
        results.append(result)
        print(
            pad(String(size), 9) + pad(String(fixture.hostCount), 8)
                + pad(format(result.median), 18) + pad(format(result.min), 8) + pad(format(result.max), 8)
                + "\(result.hitsPerSample)/\(lookupsPerSample)"
        )
    }
    if let small = results.first, let large = results.last, small.median > 0 {
        print("100,000 routes ÷ 10 routes: \(format(large.median / small.median))× per lookup")
    }
}
