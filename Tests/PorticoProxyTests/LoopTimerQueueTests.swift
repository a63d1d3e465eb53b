import NIOCore
import NIOEmbedded
import PorticoTestSupport
import Testing

@testable import PorticoProxy

@Suite("LoopTimerQueue")
struct LoopTimerQueueTests {
    /// Records which timers fired, in order.
    final class Log {
        var fired: [Int] = []
    }

    @Test func firesWhenTheDeadlineIsReachedAndNotBefore() {
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let log = Log()
        let timer = queue.makeTimer { log.fired.append(1) }
        timer.set(loop.now + .seconds(10))
        loop.advanceTime(by: .milliseconds(9_999))
        #expect(log.fired.isEmpty)
        loop.advanceTime(by: .milliseconds(1))
        #expect(log.fired == [1])
        #expect(queue.queuedCount == 0)
        loop.advanceTime(by: .seconds(60))
        #expect(log.fired == [1])
    }

    @Test func aDeadlineMovedLaterFiresAtTheLaterTime() {
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let log = Log()
        let timer = queue.makeTimer { log.fired.append(1) }
        timer.set(loop.now + .seconds(10))
        loop.advanceTime(by: .seconds(5))
        timer.set(loop.now + .seconds(10))
        loop.advanceTime(by: .seconds(9))
        #expect(log.fired.isEmpty)
        #expect(queue.queuedCount == 1)
        loop.advanceTime(by: .seconds(1))
        #expect(log.fired == [1])
    }

    @Test func aDeadlineMovedEarlierThanTheQueuedTaskFiresOnTime() {
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let log = Log()
        let late = queue.makeTimer { log.fired.append(1) }
        let early = queue.makeTimer { log.fired.append(2) }
        late.set(loop.now + .seconds(60))
        early.set(loop.now + .seconds(60))
        early.set(loop.now + .seconds(3))
        loop.advanceTime(by: .seconds(3))
        #expect(log.fired == [2])
        loop.advanceTime(by: .seconds(57))
        #expect(log.fired == [2, 1])
    }

    @Test func clearedTimersDoNotFireAndCancelledOnesLeaveAtOnce() {
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let log = Log()
        let cleared = queue.makeTimer { log.fired.append(1) }
        let cancelled = queue.makeTimer { log.fired.append(2) }
        cleared.set(loop.now + .seconds(1))
        cancelled.set(loop.now + .seconds(1))
        cleared.clear()
        cancelled.cancel()
        #expect(queue.queuedCount == 1)
        loop.advanceTime(by: .seconds(2))
        #expect(log.fired.isEmpty)
        #expect(queue.queuedCount == 0)
        // A cleared or cancelled timer can be set again.
        cleared.set(loop.now + .seconds(1))
        cancelled.set(loop.now + .seconds(2))
        loop.advanceTime(by: .seconds(2))
        #expect(log.fired == [1, 2])
    }

    @Test func aTimerSetFromAFiringTimerRuns() {
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let log = Log()
        let second = queue.makeTimer { log.fired.append(2) }
        let first = queue.makeTimer {
            log.fired.append(1)
            second.set(loop.now + .seconds(1))
        }
        first.set(loop.now + .seconds(1))
        loop.advanceTime(by: .seconds(1))
        #expect(log.fired == [1])
        loop.advanceTime(by: .seconds(1))
        #expect(log.fired == [1, 2])
    }

    /// Timers due at the same instant fire in one pass; one that an earlier one cancels,
    /// clears or moves on in that pass must not fire then: its owner may already be gone
    /// (owners hand the queue unowned references to themselves).
    @Test func aTimerCancelledClearedOrMovedByAnotherDueTimerDoesNotFire() {
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let log = Log()
        var others: [LoopTimer] = []
        let first = queue.makeTimer {
            log.fired.append(0)
            others[0].cancel()
            others[1].clear()
            others[2].set(loop.now + .seconds(5))
        }
        others = (1...3).map { number in queue.makeTimer { log.fired.append(number) } }
        first.set(loop.now + .seconds(1))
        loop.advanceTime(by: .milliseconds(500))
        for timer in others { timer.set(loop.now + .milliseconds(500)) }
        loop.advanceTime(by: .milliseconds(500))
        #expect(log.fired == [0])
        loop.advanceTime(by: .seconds(5))
        #expect(log.fired == [0, 3])
    }

    /// Random sets, moves, clears and cancels of many timers against a model: each timer fires
    /// exactly when its last deadline passes, unless cleared or cancelled since.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func agreesWithAModelUnderRandomOperations(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let loop = EmbeddedEventLoop()
        let queue = LoopTimerQueue(eventLoop: loop)
        let start = loop.now
        var expected: [Int: NIODeadline] = [:]
        var firedAt: [Int: [NIODeadline]] = [:]
        var timers: [LoopTimer] = []
        for id in 0..<64 {
            timers.append(queue.makeTimer { firedAt[id, default: []].append(loop.now) })
        }
        var due: [(id: Int, at: NIODeadline)] = []
        for _ in 0..<2_000 {
            let id = Int(random.next() % 64)
            switch random.next() % 6 {
            case 0, 1, 2:
                let deadline = loop.now + .milliseconds(Int64(random.next() % 5_000))
                timers[id].set(deadline)
                expected[id] = deadline
            case 3:
                timers[id].clear()
                expected[id] = nil
            case 4:
                timers[id].cancel()
                expected[id] = nil
            default:
                let step = TimeAmount.milliseconds(Int64(random.next() % 300))
                let now = loop.now + step
                for (timer, deadline) in expected where deadline <= now {
                    due.append((timer, deadline))
                    expected[timer] = nil
                }
                loop.advanceTime(to: now)
            }
        }
        loop.advanceTime(to: start + .seconds(3_600))
        for (timer, deadline) in expected { due.append((timer, deadline)) }
        var wanted: [Int: [NIODeadline]] = [:]
        for entry in due { wanted[entry.id, default: []].append(entry.at) }
        // Each firing happens at the step that passed its deadline, so compare counts, and
        // that no timer fired before its deadline.
        #expect(wanted.mapValues(\.count) == firedAt.mapValues(\.count))
        for (id, deadlines) in wanted {
            for (deadline, fired) in zip(deadlines, firedAt[id] ?? []) {
                #expect(fired >= deadline)
            }
        }
        #expect(queue.queuedCount == 0)
    }
}
