import NIOCore
import NIOHPACK
import NIOHTTP2

/// Answers a stream's request with a fixed 200 and a 64-byte body once the request has ended.
/// It reads nothing of the request beyond NIO's own checks.
final class FixedAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// As long as the bench backends' bodies (bench/lib.sh, `backend_body`).
    private static let body = "nio-h2-floor " + String(repeating: ".", count: 64 - 13)
    private static let headers: HPACKHeaders = [
        ":status": "200", "content-type": "text/plain", "content-length": "\(body.utf8.count)",
    ]

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ended: Bool
        switch self.unwrapInboundIn(data) {
        case .headers(let headers): ended = headers.endStream
        case .data(let data): ended = data.endStream
        default: ended = false
        }
        guard ended else { return }
        context.write(self.wrapOutboundOut(.headers(.init(headers: Self.headers))), promise: nil)
        let body = context.channel.allocator.buffer(string: Self.body)
        context.writeAndFlush(self.wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: true))), promise: nil)
    }
}
