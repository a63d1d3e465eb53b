internal import Foundation
internal import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#endif

/// A task executor with one thread of its own, at a lower CPU priority (a higher nice value)
/// than the proxy's event loops: the reconcile loop runs on it, so that control-plane work
/// yields to traffic when the two compete for the cores.
///
/// Translating a table of 10,000 Ingresses costs about half a second of CPU per change; under
/// a steady stream of changes that CPU came out of the event loops' share, and throughput fell
/// to about 0.79 of a steady run. At nice 10 a thread weighs about a tenth of a nice-0 thread
/// in the kernel's fair scheduler, so the event loops keep their share and the translation
/// takes the idle time (bench/README.md has the figures). nginx's `worker_priority` is the
/// same lever, applied the other way round.
///
/// The thread lives as long as the process; `shared` is the one instance. Only the nice value
/// is raised, which needs no privilege; Linux applies it to the calling thread alone.
final class BackgroundExecutor: TaskExecutor, Sendable {
    /// How much nicer than the thread that starts it the executor's thread runs; event-loop
    /// threads stay at the process's own value.
    static let niceness: Int32 = 10

    static let shared = BackgroundExecutor(niceness: BackgroundExecutor.niceness)

    private let jobs = Mutex<[UnownedJob]>([])
    /// Counts queued jobs: the thread sleeps on it while there are none.
    private let queued = DispatchSemaphore(value: 0)

    private init(niceness: Int32) {
        Thread.detachNewThread { [self] in
            // The Linux semantics of PRIO_PROCESS with id 0: this thread only. Relative to the
            // inherited value, so a process started under `nice` keeps its order.
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            _ = setpriority(which, 0, min(19, getpriority(which, 0) + niceness))
            self.runJobs()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        self.jobs.withLock { $0.append(unowned) }
        self.queued.signal()
    }

    private func runJobs() -> Never {
        let executor = self.asUnownedTaskExecutor()
        var batch: [UnownedJob] = []
        while true {
            self.queued.wait()
            // Take what is queued in one lock; the semaphore still holds one count for each of
            // the others, so later waits return at once until the count catches up.
            batch = self.jobs.withLock { jobs in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            for job in batch {
                job.runSynchronously(on: executor)
            }
        }
    }
}
