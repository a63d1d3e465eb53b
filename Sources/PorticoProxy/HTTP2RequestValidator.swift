internal import NIOCore
internal import NIOHTTP2

/// On an HTTP/2 stream at the edge, lets a request through only when its header block and
/// trailers follow `HTTP2RequestBlockRules`; a malformed one resets the stream with
/// PROTOCOL_ERROR, as RFC 9113 section 8.1.1 asks, and nothing of it reaches the proxy.
///
/// It sits in front of NIO's HTTP/2-to-HTTP/1 codec, so it sees frame payloads: the first
/// HEADERS is the request's, a later one its trailers.
final class HTTP2RequestValidator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private enum State {
        case awaitingHead
        case awaitingTrailers
        /// The stream was reset; whatever else arrives on it is dropped.
        case rejected
    }

    private var state = State.awaitingHead

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .rejected:
            return
        case .awaitingHead, .awaitingTrailers:
            guard case .headers(let headers) = self.unwrapInboundIn(data) else {
                context.fireChannelRead(data)
                return
            }
            let violation: HTTP2RequestBlockRules.Violation?
            if case .awaitingHead = self.state {
                violation = HTTP2RequestBlockRules.checkRequest(headers.headers)
                self.state = .awaitingTrailers
            } else {
                violation = HTTP2RequestBlockRules.checkTrailers(headers.headers)
            }
            guard violation == nil else {
                self.state = .rejected
                context.writeAndFlush(self.wrapOutboundOut(.rstStream(.protocolError)), promise: nil)
                return
            }
            context.fireChannelRead(data)
        }
    }
}
