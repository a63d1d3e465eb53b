/// Settings of HTTP/2 from clients: ALPN `h2` on the HTTPS listener, and prior-knowledge
/// cleartext HTTP/2 (h2c) on the plain-HTTP listener when enabled.
///
/// The header list limit is not here: it is `ProxyConfiguration.maxHeaderBytes`, the same cap
/// as HTTP/1.1, advertised as `SETTINGS_MAX_HEADER_LIST_SIZE`. swift-nio-http2's DoS
/// protections (reset-stream, control-frame and empty-frame rate limits, the glitch counter)
/// keep their defaults.
public struct HTTP2Options: Sendable, Equatable {
    /// Whether the plain-HTTP listener also accepts HTTP/2 by prior knowledge (a connection that
    /// opens with the HTTP/2 preface); HTTP/1.1 keeps working on the same port. Default false:
    /// h2c is for trusted networks (gRPC clients inside a cluster), not browsers.
    public var cleartextPriorKnowledge: Bool
    /// Streams a client may have open at once on one connection
    /// (`SETTINGS_MAX_CONCURRENT_STREAMS`). Compliant clients queue further requests; one that
    /// opens more anyway gets GOAWAY PROTOCOL_ERROR from swift-nio-http2 (its open streams
    /// still finish). Default 128.
    public var maxConcurrentStreams: Int
    /// The flow-control window of each request stream (`SETTINGS_INITIAL_WINDOW_SIZE`): request
    /// body bytes a client may send ahead before Portico has passed them upstream. Default
    /// 65 535, HTTP/2's own default and Envoy's edge guidance (64 KiB): with 128 streams that
    /// bounds buffered request bodies at 8 MiB per connection.
    public var initialWindowSize: Int
    /// The connection-level flow-control window shared by all streams. Default 1 MiB, as Envoy
    /// recommends for edge proxies, so that several streams can upload at once.
    public var connectionWindowSize: Int

    public init(
        cleartextPriorKnowledge: Bool = false,
        maxConcurrentStreams: Int = 128,
        initialWindowSize: Int = 65_535,
        connectionWindowSize: Int = 1 << 20
    ) {
        self.cleartextPriorKnowledge = cleartextPriorKnowledge
        self.maxConcurrentStreams = maxConcurrentStreams
        self.initialWindowSize = initialWindowSize
        self.connectionWindowSize = connectionWindowSize
    }

    /// The largest value `SETTINGS_INITIAL_WINDOW_SIZE` may take (RFC 9113 section 6.5.2).
    public static let maximumWindowSize = (1 << 31) - 1
}
