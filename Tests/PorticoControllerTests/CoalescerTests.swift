import PorticoController
import Testing

/// A hand-driven instant so the coalescer is tested without a clock or sleeping.
struct TestInstant: InstantProtocol {
    var offset: Duration

    func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: offset + duration) }
    func duration(to other: TestInstant) -> Duration { other.offset - offset }
    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.offset < rhs.offset }

    static func ms(_ value: Int64) -> TestInstant { TestInstant(offset: .milliseconds(value)) }
}

@Suite struct CoalescerTests {
    @Test func publishesOneHoldoffAfterASingleChange() {
        var coalescer = Coalescer<TestInstant>(holdoff: .milliseconds(100), maxHoldoff: .seconds(1))
        #expect(coalescer.changed(at: .ms(0)) == .ms(100))
        #expect(!coalescer.isDue(at: .ms(99)))
        #expect(coalescer.isDue(at: .ms(100)))
    }

    @Test func eachChangePushesTheDeadlineBack() {
        var coalescer = Coalescer<TestInstant>(holdoff: .milliseconds(100), maxHoldoff: .seconds(1))
        _ = coalescer.changed(at: .ms(0))
        #expect(coalescer.changed(at: .ms(80)) == .ms(180))
        #expect(!coalescer.isDue(at: .ms(150)))
    }

    @Test func aSteadyTrickleIsPublishedAtTheMaxHoldoff() {
        var coalescer = Coalescer<TestInstant>(holdoff: .milliseconds(100), maxHoldoff: .seconds(1))
        var deadline = TestInstant.ms(0)
        for time in stride(from: Int64(0), through: 2000, by: 50) {
            deadline = coalescer.changed(at: .ms(time))
            if coalescer.isDue(at: .ms(time)) { break }
        }
        #expect(deadline == .ms(1000))
    }

    @Test func publishingForgetsPendingChanges() {
        var coalescer = Coalescer<TestInstant>(holdoff: .milliseconds(100), maxHoldoff: .seconds(1))
        _ = coalescer.changed(at: .ms(0))
        coalescer.published()
        #expect(coalescer.deadline == nil)
        #expect(!coalescer.isDue(at: .ms(5000)))
        #expect(coalescer.changed(at: .ms(5000)) == .ms(5100))
    }

    @Test func aMaxHoldoffBelowTheHoldoffIsRaisedToIt() {
        let coalescer = Coalescer<TestInstant>(holdoff: .milliseconds(300), maxHoldoff: .milliseconds(100))
        #expect(coalescer.maxHoldoff == .milliseconds(300))
    }
}
