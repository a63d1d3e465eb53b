import Testing

@testable import PorticoProxy

@Suite("ConnectionTimeoutStateMachine")
struct ConnectionTimeoutStateMachineTests {
    @Test func idleConnectionIsClosedWithoutAnswer() {
        var machine = ConnectionTimeoutStateMachine()
        #expect(machine.channelActive() == .armIdleTimer)
        #expect(machine.timerFired() == .close)
        #expect(machine.state == .closed)
    }

    @Test func partialHeadTimesOutWith408() {
        var machine = ConnectionTimeoutStateMachine()
        _ = machine.channelActive()
        #expect(machine.bytesReceived() == .armHeaderTimer)
        #expect(machine.bytesReceived() == .none)
        #expect(machine.timerFired() == .sendRequestTimeoutAndClose)
    }

    @Test func servingARequestHasNoTimerAndTheNextWaitIsIdle() {
        var machine = ConnectionTimeoutStateMachine()
        _ = machine.channelActive()
        _ = machine.bytesReceived()
        #expect(machine.headReceived() == .cancelTimer)
        #expect(machine.bytesReceived() == .none)
        #expect(machine.timerFired() == .none)
        #expect(machine.responseCompleted() == .armIdleTimer)
        #expect(machine.state == .waitingForRequest)
        #expect(machine.bytesReceived() == .armHeaderTimer)
    }

    /// Answered before its body is in: the body keeps the idle timer moving, a stall closes
    /// without an answer (the request has one), and the body's end makes the wait idle.
    @Test func aBodyBeingDroppedKeepsTheIdleTimerMovingAndAStallCloses() {
        var machine = ConnectionTimeoutStateMachine()
        _ = machine.channelActive()
        _ = machine.bytesReceived()
        _ = machine.headReceived()
        #expect(machine.discardingBody() == .armIdleTimer)
        #expect(machine.state == .discardingBody)
        #expect(machine.bytesReceived() == .armIdleTimer)
        #expect(machine.state == .discardingBody)
        #expect(machine.responseCompleted() == .armIdleTimer)
        #expect(machine.state == .waitingForRequest)

        _ = machine.bytesReceived()
        _ = machine.headReceived()
        _ = machine.discardingBody()
        #expect(machine.timerFired() == .close)
        #expect(machine.state == .closed)
        // Only a request being served can start dropping its body.
        #expect(machine.discardingBody() == .none)
    }

    @Test func closedMachineIgnoresEverything() {
        var machine = ConnectionTimeoutStateMachine()
        #expect(machine.channelInactive() == .cancelTimer)
        #expect(machine.bytesReceived() == .none)
        #expect(machine.headReceived() == .none)
        #expect(machine.responseCompleted() == .none)
        #expect(machine.timerFired() == .none)
    }
}
