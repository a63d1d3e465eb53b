import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

@Suite("DeadlineTimer")
struct DeadlineTimerTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private func task(on loop: EmbeddedEventLoop) -> Scheduled<Void> {
        loop.scheduleTask(in: .hours(1)) {}
    }

    @Test func firstDeadlineNeedsATask() {
        var timer = DeadlineTimer()
        let needsTask1 = timer.set(self.start + .seconds(60))
        #expect(needsTask1)
        #expect(timer.needsTask)
    }

    @Test func laterDeadlineReusesTheScheduledTask() throws {
        let loop = EmbeddedEventLoop()
        var timer = DeadlineTimer()
        _ = timer.set(self.start + .seconds(60))
        timer.scheduled(self.task(on: loop), at: self.start + .seconds(60))
        let needsTask2 = timer.set(self.start + .seconds(90))
        #expect(!needsTask2)
        #expect(!timer.needsTask)
        let action3 = timer.fired(now: self.start + .seconds(60))
        #expect(action3 == .reschedule(self.start + .seconds(90)))
        try loop.syncShutdownGracefully()
    }

    @Test func earlierDeadlineNeedsANewTask() throws {
        let loop = EmbeddedEventLoop()
        var timer = DeadlineTimer()
        _ = timer.set(self.start + .seconds(60))
        timer.scheduled(self.task(on: loop), at: self.start + .seconds(60))
        let needsTask4 = timer.set(self.start + .seconds(10))
        #expect(needsTask4)
        #expect(timer.needsTask)
        try loop.syncShutdownGracefully()
    }

    @Test func reachedDeadlineExpiresOnce() {
        var timer = DeadlineTimer()
        _ = timer.set(self.start + .seconds(60))
        let action5 = timer.fired(now: self.start + .seconds(60))
        #expect(action5 == .expired)
        #expect(timer.deadline == nil)
        let action6 = timer.fired(now: self.start + .seconds(61))
        #expect(action6 == .none)
    }

    @Test func clearedDeadlineLetsTheTaskFireIdle() throws {
        let loop = EmbeddedEventLoop()
        var timer = DeadlineTimer()
        _ = timer.set(self.start + .seconds(60))
        timer.scheduled(self.task(on: loop), at: self.start + .seconds(60))
        timer.clear()
        #expect(!timer.needsTask)
        let action7 = timer.fired(now: self.start + .seconds(60))
        #expect(action7 == .none)
        // With the task gone, the next deadline needs a new one.
        let needsTask8 = timer.set(self.start + .seconds(120))
        #expect(needsTask8)
        try loop.syncShutdownGracefully()
    }
}
