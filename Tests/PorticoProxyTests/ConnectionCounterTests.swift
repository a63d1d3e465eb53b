import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

/// The count of open downstream connections: slots up to the limit, returned on close, and the
/// drain that completes when the last connection closes. (The listener's use of it, closing a
/// connection over the limit at once, is `LimitsIntegrationTests.connectionsOverTheLimitAreClosedAtOnce`.)
@Suite struct ConnectionCounterTests {
    @Test func slotsUpToTheLimitAreReturnedOnRelease() {
        let counter = ConnectionCounter(limit: 2)
        #expect(counter.tryAcquire())
        #expect(counter.tryAcquire())
        #expect(!counter.tryAcquire())
        #expect(counter.count == 2)
        counter.release()
        #expect(counter.count == 1)
        #expect(counter.tryAcquire())
        #expect(!counter.tryAcquire())
    }

    @Test func aDrainCompletesWhenTheLastConnectionCloses() throws {
        let loop = EmbeddedEventLoop()
        let counter = ConnectionCounter(limit: 2)
        #expect(counter.tryAcquire())
        #expect(counter.tryAcquire())
        counter.release()
        let drained = counter.drain(on: loop)
        var done = false
        drained.assumeIsolated().whenSuccess { done = true }
        loop.run()
        #expect(!done)
        counter.release()
        loop.run()
        #expect(done)
        #expect(counter.count == 0)
    }

    @Test func aDrainWithNoConnectionCompletesAtOnce() throws {
        let loop = EmbeddedEventLoop()
        let counter = ConnectionCounter(limit: 1)
        try counter.drain(on: loop).wait()
    }
}
