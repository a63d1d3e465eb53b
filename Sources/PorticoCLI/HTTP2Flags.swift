import ArgumentParser
import PorticoProxy

/// Flags of HTTP/2 from clients: h2c on the plain port, the stream limit and the windows.
struct HTTP2Flags: ParsableArguments {
    @Flag(name: .customLong("enable-h2c"), help: "Also accept HTTP/2 by prior knowledge (h2c) on the plain-HTTP port; HTTP/1.1 keeps working there.")
    var enableH2C = false

    @Option(name: .customLong("http2-max-concurrent-streams"), help: ArgumentHelp("Streams one HTTP/2 client connection may have open at once. Default: 128.", valueName: "n"))
    var maxConcurrentStreams = 128

    @Option(name: .customLong("http2-initial-window-size"), help: ArgumentHelp("HTTP/2 flow-control window of each stream, in bytes. Default: 65535.", valueName: "bytes"))
    var initialWindowSize = 65_535

    @Option(name: .customLong("http2-connection-window-size"), help: ArgumentHelp("HTTP/2 flow-control window of a whole connection, in bytes. Default: 1048576.", valueName: "bytes"))
    var connectionWindowSize = 1 << 20

    func apply(to proxy: inout ProxyConfiguration) throws {
        guard (1...(1 << 31) - 1).contains(maxConcurrentStreams) else {
            throw ValidationError("--http2-max-concurrent-streams must be at least 1, not \(maxConcurrentStreams).")
        }
        for (flag, value) in [("--http2-initial-window-size", initialWindowSize), ("--http2-connection-window-size", connectionWindowSize)] {
            guard (65_535...HTTP2Options.maximumWindowSize).contains(value) else {
                throw ValidationError("\(flag) must be from 65535 to \(HTTP2Options.maximumWindowSize) bytes, not \(value).")
            }
        }
        proxy.http2 = HTTP2Options(
            cleartextPriorKnowledge: enableH2C,
            maxConcurrentStreams: maxConcurrentStreams,
            initialWindowSize: initialWindowSize,
            connectionWindowSize: connectionWindowSize
        )
    }
}
