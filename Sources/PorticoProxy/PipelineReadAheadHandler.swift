internal import NIOCore
internal import NIOHTTP1

/// Keeps the socket readable while a response is in flight, so that a keep-alive connection
/// does not drop and re-add its epoll read interest on every request.
///
/// NIO's `HTTPServerPipelineHandler` (which stays: it orders pipelined responses, buffers
/// pipelined requests, handles quiescing and parser errors) swallows `read()` from the moment
/// a request has fully arrived until its response ends. A swallowed read leaves the channel
/// without a pending read after the current socket read, so NIO unregisters read interest
/// (`epoll_ctl`) and registers it again when the response ends: two system calls per request,
/// where nginx's edge-triggered loop makes none.
///
/// This handler sits just below the pipeline handler. At the end of each read cycle in which
/// the pipeline handler is holding reads (a request fully received, its response not yet
/// ended), it issues the read itself, so the channel stays registered. What it reads ahead is
/// buffered by the pipeline handler, so it only reads ahead while that buffer is small:
/// at most `maxRequestsAhead` requests received and not yet answered, and at most
/// `maxBytesAhead` body bytes received since a response was last pending. Past either cap it
/// stops, and the pipeline handler holds reads as before (its DoS protection).
///
/// It never reads ahead while no request is waiting for its response: then the reads belong
/// to `ProxyHandler`, which holds them for upstream backpressure.
///
/// `ProxyHandler` calls `responseEnded()` as it writes each response's end. Watching the
/// writes instead would unwrap every outbound part: NIO carries HTTP parts as `Any`, and each
/// unwrap is a runtime cast of about 470 instructions, three per response.
final class PipelineReadAheadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// Requests read ahead at most (one answered plus this many waiting). Clients rarely
    /// pipeline; four covers those that do without letting one buffer many.
    static let maxRequestsAhead = 4
    /// Body bytes of pipelined requests read ahead at most. 64 KiB: what one socket read
    /// usually returns, and small next to the header limit times the request cap.
    static let maxBytesAhead = 64 * 1024

    /// Request ends received minus final response ends sent: above zero, the pipeline handler
    /// holds reads.
    private var unanswered = 0
    private var bytesAhead = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head:
            ()
        case .body(let buffer):
            if self.unanswered > 0 { self.bytesAhead += buffer.readableBytes }
        case .end:
            self.unanswered += 1
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if self.unanswered > 0, self.unanswered <= Self.maxRequestsAhead, self.bytesAhead <= Self.maxBytesAhead {
            context.read()
        }
    }

    /// A final response has ended (its `.end` is being written).
    func responseEnded() {
        self.unanswered -= 1
        if self.unanswered <= 0 { self.bytesAhead = 0 }
    }
}
