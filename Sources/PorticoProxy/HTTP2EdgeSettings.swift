internal import NIOHTTP2

/// The HTTP/2 settings Portico's `ProxyConfiguration` turns into.
enum HTTP2EdgeSettings {
    /// The connection settings: the advertised limits, and every DoS protection of
    /// swift-nio-http2 at its default. NIO's header block validation is off: each stream's
    /// `HTTP2StreamFront` checks what clients send, for a ninth of the instructions
    /// (`HTTP2RequestBlockRules` says why what Portico sends needs no check).
    static func connection(_ configuration: ProxyConfiguration) -> NIOHTTP2Handler.ConnectionConfiguration {
        let options = configuration.http2
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: max(1, options.maxConcurrentStreams)),
            HTTP2Setting(parameter: .maxHeaderListSize, value: max(1024, configuration.maxHeaderBytes)),
            HTTP2Setting(parameter: .initialWindowSize, value: self.windowSize(options.initialWindowSize)),
        ]
        connection.targetWindowSize = self.windowSize(options.connectionWindowSize)
        connection.headerBlockValidation = .disabled
        return connection
    }

    /// The stream settings: each stream keeps its window at the advertised initial size.
    static func stream(_ options: HTTP2Options) -> NIOHTTP2Handler.StreamConfiguration {
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = self.windowSize(options.initialWindowSize)
        return stream
    }

    /// A window size HTTP/2 allows: 1 byte up to 2^31-1.
    static func windowSize(_ value: Int) -> Int {
        min(max(1, value), HTTP2Options.maximumWindowSize)
    }
}
