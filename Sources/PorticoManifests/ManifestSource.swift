public import Logging
public import PorticoModel

/// Local mode's resource source: a watched manifest folder as the same `ResourceEvent` stream
/// the API-server informer produces, so that the reconciler cannot tell them apart.
///
/// Iterating first yields the folder's current state (`.upserted` for every object, `.rejected`
/// for every problem) and `.synced` with every kind. After that, each change on disk yields one
/// batch: `.upserted` for new or changed objects, `.deleted` for objects really gone, `.rejected`
/// for new problems, and `.synced` again as the batch boundary. An object whose document no
/// longer decodes, or whose file is no longer valid YAML, is not deleted: its last good version
/// stays with the reconciler and only the problem is sent.
///
/// Changes are found by comparing snapshots: the folder is listed and each manifest file
/// `stat`ed (inode, size, mtime, ctime), which catches edits, new and removed files and folders,
/// and editors' atomic saves (write a temporary file, rename it over the old one). Only files
/// whose stamp changed are read again. A snapshot is taken every `pollInterval` (less often for a
/// folder so large that its snapshot is slow), and on Linux (unless `inotify` is false) also as soon as inotify
/// reports a change in any of the folders. inotify is only the trigger, never the truth: polling
/// stays on because inotify misses changes on network filesystems and in some mounts, and its
/// watch limit can run out. A change is read only once the folder has stayed the same for
/// `settleInterval` (judged by inotify's silence when it runs, else by snapshots), so an
/// editor's multi-step save is one batch, not several.
///
/// The watching runs inside `next()` on the consuming task (plus, on Linux, one thread blocked
/// in `poll(2)` on the inotify descriptor, which ends when the iterator is released): there is
/// no background task, a slow consumer is never buffered for, and cancelling the consuming task
/// ends the sequence (`next()` returns nil). Each iterator is an independent watcher that
/// starts with a full initial batch.
public struct ManifestSource: AsyncSequence, Sendable {
    public typealias Element = ResourceEvent
    public typealias Failure = Never

    /// The folder as given; reported paths start with it.
    public let folder: String
    /// How often the folder is checked for changes, at least. Default 250 ms. A folder whose
    /// snapshot takes long is polled less often (see `pollDelay`), so that polling a large
    /// folder does not cost a steady share of a core; inotify still triggers a read at once.
    public let pollInterval: Duration
    /// How long the folder must stay unchanged before a change is read. Default 100 ms.
    public let settleInterval: Duration
    /// Whether inotify triggers reads between polls (Linux only; elsewhere polling alone).
    public let inotify: Bool
    let logger: Logger

    /// Checks that the folder can be read now, so that a wrong path fails at startup.
    /// - Throws: `ManifestFolderError` when the folder is missing, not a folder or unreadable.
    public init(
        folder: String,
        pollInterval: Duration = .milliseconds(250),
        settleInterval: Duration = .milliseconds(100),
        inotify: Bool = true,
        logger: Logger = Logger(label: "portico.manifests")
    ) throws(ManifestFolderError) {
        _ = try ManifestFolder(path: folder).list()
        self.folder = folder
        self.pollInterval = pollInterval
        self.settleInterval = settleInterval
        self.inotify = inotify
        self.logger = logger
    }

    /// The wait between two polls: `interval`, or 20 times what a snapshot costs if that is
    /// longer, which keeps polling under ~5% of a core (10,000 files: a poll every ~0.8 s
    /// instead of every 250 ms, which cost ~18% of a core).
    static func pollDelay(interval: Duration, snapshotCost: Duration) -> Duration {
        Swift.max(interval, snapshotCost * 20)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = ResourceEvent
        public typealias Failure = Never

        /// An editor that keeps writing for longer than this many settle intervals gets read
        /// anyway, so that a file written continuously cannot stall the source.
        private static let maximumSettleRounds = 20

        private let source: ManifestSource
        private let folder: ManifestFolder
        private var diff = ManifestDiff()
        private var cache = ManifestReadCache()
        private var snapshot: FolderSnapshot?
        private var pending: [ResourceEvent] = []
        private var pendingIndex = 0
        private var finished = false
        /// How long the last snapshot took: listing and `stat`ing 10,000 files takes ~40 ms.
        private var snapshotCost: Duration = .zero
        #if canImport(Glibc)
        private let hint: InotifyHint?
        #endif

        init(source: ManifestSource) {
            self.source = source
            self.folder = ManifestFolder(path: source.folder)
            #if canImport(Glibc)
            self.hint = source.inotify ? InotifyHint() : nil
            #endif
        }

        /// The next event; waits (polling) until the folder changes. Returns nil once the
        /// consuming task is cancelled.
        public mutating func next() async -> ResourceEvent? {
            while !finished {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                // Delivered: let the batch go before waiting (a first read of 10,000 Ingresses
                // is 30,000 events).
                if !pending.isEmpty {
                    pending = []
                    pendingIndex = 0
                }
                if Task.isCancelled { break }
                guard let previous = snapshot else {
                    let current = takeSnapshot()
                    reload(current)
                    continue
                }
                let settled: FolderSnapshot?
                switch await waitForChange() {
                case .cancelled:
                    finished = true
                    return nil
                case .notified:
                    // inotify already says something changed: settle first and take one
                    // snapshot after, rather than one before settling too (~40 ms each at
                    // 10,000 files, twice per read under constant change).
                    settled = await settle(previous)
                case .pollDue:
                    let current = takeSnapshot()
                    guard current != previous else { continue }
                    settled = await settle(current)
                }
                guard let settled else {
                    finished = true
                    return nil
                }
                guard settled != previous else { continue }
                reload(settled)
            }
            finished = true
            return nil
        }

        /// Reads the files of the snapshot that changed since the last read and queues the diff
        /// against what was sent. The snapshot is taken before reading, so that a change during
        /// the read is seen by the next poll.
        private mutating func reload(_ current: FolderSnapshot) {
            snapshot = current
            #if canImport(Glibc)
            hint?.watch(folders: current.folders)
            #endif
            let batch: [ResourceEvent]
            if let error = current.folderError {
                source.logger.warning("cannot read manifest folder; keeping what was read before", metadata: ["error": "\(error)"])
                batch = diff.apply(folderError: SourceError(origin: .file(path: error.path, line: 1), message: error.description))
            } else {
                let set = cache.read(current.listing)
                batch = diff.apply(set, changedKeys: cache.lastChangedKeys)
                source.logger.debug(
                    "read manifest folder",
                    metadata: [
                        "folder": "\(source.folder)", "objects": "\(set.resources.count)",
                        "problems": "\(set.problems.count)", "ignored": "\(set.ignoredDocuments)",
                        "files read": "\(cache.lastFilesRead)",
                    ])
            }
            pending = batch
            pendingIndex = 0
        }

        /// Waits until the folder has stayed the same for a settle interval (at most
        /// `maximumSettleRounds` of them) and returns its snapshot then; nil when cancelled.
        ///
        /// With a live inotify hint, "stayed the same" means no event for an interval, and one
        /// snapshot is taken at the end: a folder of 10,000 files costs ~40 ms to snapshot, so
        /// one per 100 ms interval while a file is rewritten every 50 ms comes to ~40% of a
        /// core, taken from the proxy. Without inotify, snapshots are compared as before.
        private mutating func settle(_ first: FolderSnapshot) async -> FolderSnapshot? {
            #if canImport(Glibc)
            if let hint, !hint.ended.isEnded {
                _ = hint.signal.consume()
                for _ in 0..<Self.maximumSettleRounds {
                    guard await sleep(source.settleInterval) else { return nil }
                    if !hint.signal.consume() { break }
                }
                return takeSnapshot()
            }
            #endif
            var current = first
            for _ in 0..<Self.maximumSettleRounds {
                guard await sleep(source.settleInterval) else { return nil }
                let again = takeSnapshot()
                if again == current { break }
                current = again
            }
            return current
        }

        /// Takes a snapshot and remembers what it cost, for the next poll's delay.
        private mutating func takeSnapshot() -> FolderSnapshot {
            let clock = ContinuousClock()
            let start = clock.now
            let snapshot = FolderSnapshot.take(of: folder)
            snapshotCost = clock.now - start
            return snapshot
        }

        /// Why `waitForChange` returned.
        private enum Wake {
            /// inotify reported a change.
            case notified
            /// The poll interval passed: only a snapshot can tell whether anything changed.
            case pollDue
            case cancelled
        }

        /// Waits for the poll interval to pass or inotify to report a change, whichever is
        /// first.
        private func waitForChange() async -> Wake {
            #if canImport(Glibc)
            if let signal = hint?.signal {
                let pollInterval = ManifestSource.pollDelay(interval: source.pollInterval, snapshotCost: snapshotCost)
                let wake = await withTaskGroup(of: Wake.self) { group in
                    group.addTask {
                        try? await Task.sleep(for: pollInterval)
                        return .pollDue
                    }
                    group.addTask {
                        await signal.wait()
                        return .notified
                    }
                    let first = await group.next() ?? .cancelled
                    group.cancelAll()
                    return first
                }
                return Task.isCancelled ? .cancelled : wake
            }
            #endif
            return await sleep(ManifestSource.pollDelay(interval: source.pollInterval, snapshotCost: snapshotCost))
                ? .pollDue : .cancelled
        }

        /// Sleeps, or returns false when the task is cancelled.
        private func sleep(_ duration: Duration) async -> Bool {
            do {
                try await Task.sleep(for: duration)
                return true
            } catch {
                return false
            }
        }
    }
}
