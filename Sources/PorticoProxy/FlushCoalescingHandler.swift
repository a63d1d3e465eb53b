internal import NIOCore

/// Turns the flushes of one event-loop tick into one, in front of an HTTP/2 connection's
/// framing.
///
/// Every stream of a downstream HTTP/2 connection flushes when its response ends, and each of
/// those flushes would seal its own TLS record and cost its own `write` system call. Responses
/// from many upstream connections arrive in the same tick (one `epoll` wakeup); deferring the
/// flush to a task run right after that tick's I/O writes them all with one record and one
/// call. Nothing waits longer than the rest of the tick. A close first flushes what is pending,
/// so a GOAWAY written just before it still leaves.
final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !self.flushPending else { return }
        self.flushPending = true
        // Strong, not weak: the task runs within the tick, and a handler removed before then
        // has flushed already (`handlerRemoved`), so keeping it until then costs nothing. A
        // weak reference would give the handler a side table for life and put every retain
        // and release of it on the slow path.
        context.eventLoop.assumeIsolated().execute {
            guard self.flushPending else { return }
            self.flushPending = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.flushNow(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.flushNow(context: context)
    }

    private func flushNow(context: ChannelHandlerContext) {
        guard self.flushPending else { return }
        self.flushPending = false
        context.flush()
    }
}
