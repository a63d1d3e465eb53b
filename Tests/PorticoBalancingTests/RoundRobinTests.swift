import PorticoBalancing
import Testing

@Suite struct RoundRobinTests {
    @Test func cyclesThroughEveryIndexInOrder() {
        var balancer = RoundRobin()
        let picks = (0..<7).compactMap { _ in balancer.next(count: 3) }
        #expect(picks == [0, 1, 2, 0, 1, 2, 0])
    }

    @Test func nothingToChooseFromGivesNil() {
        var balancer = RoundRobin()
        #expect(balancer.next(count: 0) == nil)
    }

    @Test func survivesTheCountShrinking() {
        var balancer = RoundRobin(seed: 5)
        #expect(balancer.next(count: 10) == 5)
        #expect(balancer.next(count: 2) == 0)
        #expect(balancer.next(count: 2) == 1)
    }

    @Test func aNegativeSeedStillPicksInRange() {
        var balancer = RoundRobin(seed: -7)
        for _ in 0..<10 {
            let pick = balancer.next(count: 3)
            #expect(pick.map { (0..<3).contains($0) } == true)
        }
    }
}
