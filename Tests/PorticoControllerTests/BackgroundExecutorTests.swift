import Synchronization
import Testing

@testable import PorticoController

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@Suite("BackgroundExecutor")
struct BackgroundExecutorTests {
    private static func niceOfThisThread() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test func workPreferringItRunsNicerThanTheCaller() async {
        let callers = Self.niceOfThisThread()
        let inside = await withTaskExecutorPreference(BackgroundExecutor.shared) {
            Self.niceOfThisThread()
        }
        #expect(inside == min(19, callers + BackgroundExecutor.niceness))
    }

    private final class Counts: Sendable {
        let done = Atomic<Int>(0)
        let atLowPriority = Atomic<Int>(0)
    }

    @Test func childTasksInheritThePreferenceAndAllComplete() async {
        let callers = Self.niceOfThisThread()
        let counts = Counts()
        await withTaskExecutorPreference(BackgroundExecutor.shared) {
            await withDiscardingTaskGroup { group in
                for _ in 0..<500 {
                    group.addTask {
                        if Self.niceOfThisThread() == min(19, callers + BackgroundExecutor.niceness) {
                            counts.atLowPriority.add(1, ordering: .relaxed)
                        }
                        await Task.yield()
                        counts.done.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        #expect(counts.done.load(ordering: .relaxed) == 500)
        #expect(counts.atLowPriority.load(ordering: .relaxed) == 500)
    }
}
