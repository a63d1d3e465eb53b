internal import NIOCore

/// The first bytes of a connection, kept by a handler that must read them before it knows how to
/// set up the rest of the pipeline (`ProxyProtocolHandler`, `TLSPassthroughHandler`), and the
/// deadline for deciding.
///
/// The handler appends every read and asks its parser about all bytes so far; once it has
/// decided it calls `finish()`, which stops the deadline and hands back the kept bytes so they
/// can be replayed into the handlers that follow. It sets no size limit itself: each parser
/// bounds what it reads (a PROXY header, a ClientHello) and decides before that is exceeded.
struct ConnectionPreface {
    private var bytes: ByteBuffer?
    private var deadline: Scheduled<Void>?

    /// Runs `onTimeout` on the channel's event loop once `timeout` has passed, unless
    /// `finish()` or `cancelDeadline()` came first.
    mutating func startDeadline(
        _ timeout: TimeAmount,
        context: ChannelHandlerContext,
        onTimeout: @escaping (ChannelHandlerContext) -> Void
    ) {
        let loopBound = context.loopBound
        self.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            onTimeout(loopBound.value)
        }
    }

    /// Keeps `incoming` after what came before, and returns everything kept so far.
    mutating func append(_ incoming: ByteBuffer) -> ByteBuffer {
        guard var kept = self.bytes else {
            self.bytes = incoming
            return incoming
        }
        // Drop the stored reference first so the write below does not copy the storage.
        self.bytes = nil
        var incoming = incoming
        kept.writeBuffer(&incoming)
        self.bytes = kept
        return kept
    }

    /// Stops the deadline and hands back (and forgets) the kept bytes.
    @discardableResult
    mutating func finish() -> ByteBuffer? {
        self.cancelDeadline()
        let bytes = self.bytes
        self.bytes = nil
        return bytes
    }

    /// Stops the deadline, keeping the bytes: for when the handler or the connection goes away.
    mutating func cancelDeadline() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
