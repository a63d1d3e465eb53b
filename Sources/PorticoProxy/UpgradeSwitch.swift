internal import NIOCore
internal import NIOHTTP1

/// Turns a downstream connection and its upstream connection into a raw byte relay once the
/// upstream has answered an upgrade request with 101 and that head has been written downstream.
///
/// Every HTTP handler goes, on both channels; what stays below them (the TLS handlers on the
/// HTTPS listener) carries the relayed bytes. The order matters for bytes the decoders already
/// hold past the 101: the relay handlers are added before the decoders are removed, so the
/// upstream decoder (built with `.forwardBytes`) hands its leftover bytes to the relay. The
/// downstream decoder drops any it holds: a WebSocket client must wait for the 101 before it
/// sends frames (RFC 6455 section 4.1).
///
/// Nothing of the routing table survives the switch: the relay handlers hold only each other.
enum UpgradeSwitch {
    static func relay(
        downstream: ChannelPipeline.SynchronousOperations,
        upstream: ChannelPipeline.SynchronousOperations,
        idleTimeout: TimeAmount
    ) throws {
        // Above the decoders first, so nothing of HTTP sees relayed bytes.
        self.remove(ProxyHandler.self, from: downstream)
        self.remove(UpstreamConnection.self, from: upstream)

        let downstreamRelay = UpgradedRelayHandler(idleTimeout: idleTimeout)
        let upstreamRelay = UpgradedRelayHandler(idleTimeout: nil)
        UpgradedRelayHandler.pair(downstreamRelay, upstreamRelay)
        try downstream.addHandler(downstreamRelay)
        try upstream.addHandler(upstreamRelay)

        self.remove(UpstreamRequestEncoder.self, from: upstream)
        self.remove(HTTP1ResponseDecoder.self, from: upstream)
        // The decoder takes the connection's HTTP timeouts with it (`ConnectionTimeouts`).
        self.remove(HTTP1RequestDecoder.self, from: downstream)
    }

    /// Removes the handler of `type` if the pipeline has one (the scheme handlers are optional).
    private static func remove<Handler: RemovableChannelHandler>(
        _ type: Handler.Type,
        from pipeline: ChannelPipeline.SynchronousOperations
    ) {
        guard let handler = try? pipeline.handler(type: type) else { return }
        pipeline.removeHandler(handler, promise: nil)
    }
}
