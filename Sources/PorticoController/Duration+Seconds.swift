extension Duration {
    /// The duration in seconds, for gauges and rates that count in floating-point seconds.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
