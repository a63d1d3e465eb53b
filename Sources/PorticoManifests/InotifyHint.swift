#if canImport(Glibc)
import Foundation
import Glibc
import Synchronization

/// Whether a hint's thread has finished (its descriptors closed); for tests of the release.
final class ThreadEnded: Sendable {
    private let value = Atomic<Bool>(false)
    var isEnded: Bool { value.load(ordering: .acquiring) }
    func mark() { value.store(true, ordering: .releasing) }
}

/// Linux inotify as a hint that a manifest folder changed, so that a change is read within
/// milliseconds instead of at the next poll. It is only a hint: the watcher still compares
/// `stat` snapshots to decide what changed, and still polls, because inotify is not complete
/// (it misses changes on network filesystems, and its per-user watch limit can be exhausted).
///
/// One thread per hint blocks in `poll(2)` on the inotify descriptor and a stop descriptor, and
/// turns every readable moment into a `WakeupSignal`. The events themselves are drained, not
/// parsed: which file changed is the snapshot's business. The thread ends, and closes both
/// descriptors, when the hint is released.
final class InotifyHint: Sendable {
    /// Changes to names in a folder and to its files' content; not opens, reads or closes
    /// without writing, so that reading the folder does not wake the watcher.
    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

    let signal = WakeupSignal()
    /// Set by the thread once it has closed its descriptors and is about to end.
    let ended = ThreadEnded()
    private let inotify: Int32
    /// The write end of a pipe whose read end the thread polls: closing it stops the thread.
    private let stop: Int32

    /// Nil when inotify or a pipe cannot be had (a container without inotify, the instance
    /// limit reached); the watcher then polls only.
    init?() {
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { return nil }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            close(inotify)
            return nil
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        self.inotify = inotify
        self.stop = pipeEnds[1]
        let signal = self.signal
        let ended = self.ended
        let stopped = pipeEnds[0]
        Thread.detachNewThread {
            Self.run(inotify: inotify, stopped: stopped, signal: signal)
            ended.mark()
        }
    }

    deinit {
        // The read end then reports end-of-file, and the thread closes the rest and ends.
        close(stop)
    }

    /// Watches these folders (again: adding an existing watch only refreshes it, so the
    /// watcher can pass every folder it listed after each read, and new subfolders get
    /// watched). A folder that cannot be watched is left to polling.
    func watch(folders: [String]) {
        for folder in folders {
            _ = inotify_add_watch(inotify, folder, Self.mask)
        }
    }

    private static func run(inotify: Int32, stopped: Int32, signal: WakeupSignal) {
        defer {
            close(inotify)
            close(stopped)
        }
        var descriptors = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopped, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 { return }
            guard descriptors[0].revents & Int16(POLLIN) != 0 else {
                if descriptors[0].revents != 0 { return }  // POLLERR or POLLNVAL: give up, polling remains
                continue
            }
            // Drain everything queued; the descriptor is non-blocking, so this ends at EAGAIN.
            while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
            signal.signal()
        }
    }
}
#endif
