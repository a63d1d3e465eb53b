internal import Atomics
internal import NIOCore

/// Counts open downstream connections across all event loops, lock-free, and signals when the
/// last one closes during a drain.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let open = ManagedAtomic(0)
    private let draining = ManagedAtomic(false)
    private let drainedSignalled = ManagedAtomic(false)
    private let drained: EventLoopPromise<Void>

    init(limit: Int, eventLoop: any EventLoop) {
        self.limit = limit
        self.drained = eventLoop.makePromise(of: Void.self)
    }

    var count: Int { self.open.load(ordering: .relaxed) }

    /// Takes a slot; false when the limit is reached.
    func tryAcquire() -> Bool {
        let now = self.open.wrappingIncrementThenLoad(ordering: .relaxed)
        if now > self.limit {
            self.release()
            return false
        }
        return true
    }

    func release() {
        let now = self.open.wrappingDecrementThenLoad(ordering: .acquiringAndReleasing)
        if now == 0, self.draining.load(ordering: .acquiring) { self.signalDrained() }
    }

    /// Completes once no connection is open (immediately if none is).
    func drain() -> EventLoopFuture<Void> {
        self.draining.store(true, ordering: .releasing)
        if self.open.load(ordering: .acquiring) == 0 { self.signalDrained() }
        return self.drained.futureResult
    }

    private func signalDrained() {
        if !self.drainedSignalled.exchange(true, ordering: .acquiringAndReleasing) {
            self.drained.succeed()
        }
    }
}

/// The server channel's gate: over `maxConnections`, an accepted connection is closed at once,
/// before any handler or buffer is set up for it.
final class ConnectionLimitHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let counter: ConnectionCounter

    init(counter: ConnectionCounter) {
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        guard self.counter.tryAcquire() else {
            child.close(promise: nil)
            return
        }
        let counter = self.counter
        child.closeFuture.whenComplete { _ in counter.release() }
        context.fireChannelRead(data)
    }
}
