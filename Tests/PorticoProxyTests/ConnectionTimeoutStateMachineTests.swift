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

    @Test func closedMachineIgnoresEverything() {
        var machine = ConnectionTimeoutStateMachine()
        #expect(machine.channelInactive() == .cancelTimer)
        #expect(machine.bytesReceived() == .none)
        #expect(machine.headReceived() == .none)
        #expect(machine.responseCompleted() == .none)
        #expect(machine.timerFired() == .none)
    }
}
