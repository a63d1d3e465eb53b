import PorticoRouteTable

/// The timing of one table size: nanoseconds per lookup over several samples.
struct BenchResult {
    let median: Double
    let min: Double
    let max: Double
    /// How many lookups of one sample found a route; also what keeps the work observable.
    let hitsPerSample: Int
}

/// Times `lookups` calls of `RouteTable.lookup` cycling through `queries`, `samples` times after
/// one untimed warm-up sample.
///
/// The optimizer cannot drop the lookups: every result feeds a checksum (hit count and the
/// matched path's length) that is compared across samples and returned, and the table and
/// queries reach the loop through a non-inlined function.
func measureLookups(table: RouteTable, queries: [LookupQuery], lookups: Int, samples: Int) -> BenchResult {
    let clock = ContinuousClock()
    var timings: [Double] = []
    var hits = 0
    var firstChecksum: Int?
    for sample in 0...samples {
        var checksum = 0
        var sampleHits = 0
        let elapsed = clock.measure {
            (sampleHits, checksum) = runLookups(table: table, queries: queries, lookups: lookups)
        }
        if let firstChecksum, firstChecksum != checksum {
            print("warning: lookup results differ between samples (\(firstChecksum) vs \(checksum))")
        }
        firstChecksum = checksum
        hits = sampleHits
        if sample > 0 { timings.append(nanoseconds(elapsed) / Double(lookups)) }
    }
    timings.sort()
    return BenchResult(
        median: timings[timings.count / 2],
        min: timings.first ?? 0,
        max: timings.last ?? 0,
        hitsPerSample: hits
    )
}

@inline(never)
private func runLookups(table: RouteTable, queries: [LookupQuery], lookups: Int) -> (hits: Int, checksum: Int) {
    var hits = 0
    var checksum = 0
    var index = 0
    for _ in 0..<lookups {
        let query = queries[index]
        if let route = table.lookup(host: query.host, path: query.path) {
            hits += 1
            checksum &+= route.match.path.utf8.count &+ route.source.ingress.utf8.count
        }
        index += 1
        if index == queries.count { index = 0 }
    }
    return (hits, checksum)
}

private func nanoseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1e9 + Double(parts.attoseconds) / 1e9
}
