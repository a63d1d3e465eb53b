internal import NIOCore
internal import NIOHTTP1

/// Answers 431 when the request head exceeds `maxHeaderBytes`.
///
/// The limit itself is enforced by NIO's decoder (`NIOHTTPDecoderLimitConfiguration`), which
/// reports `HTTPParserError.headerOverflow`; NIO's protocol error handler would answer that with
/// a generic 400, so this handler sits just before it and gives the precise status, as nginx
/// does. The decoder closes the connection after any parser error.
final class HeaderLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        let (head, body) = LocalResponse.make(
            .requestHeaderFieldsTooLarge,
            version: .http1_1,
            close: true,
            allocator: context.channel.allocator
        )
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
