import PorticoModel

/// What a watcher last told the reconciler, and the rule for what to tell it next: the events
/// that take it from the previous read of the folder to the current one.
///
/// The rule that nothing is lost: an object that disappears from a read is deleted only when it
/// is really gone. It is kept (and not re-sent) when its document now fails but still names it,
/// or when the file or folder it came from could not be read to the end this time.
struct ManifestDiff: Sendable {
    /// The objects the reconciler has, including ones kept from earlier reads.
    private(set) var resources: [ObjectKey: SourcedResource] = [:]
    /// The problems already reported, so that a persisting problem is reported once.
    private var reported: Set<ManifestProblem> = []
    private var hasSynced = false

    /// Moves to `set` and returns the batch of events, ended by `.synced`; empty when nothing
    /// the reconciler sees changed (after the first batch, which is always sent).
    ///
    /// `changedKeys`, when given, are the only keys whose objects may differ from the last set
    /// (`ManifestReadCache.lastChangedKeys`): only they are compared, instead of every object of
    /// the folder. Problems are few and always compared whole.
    mutating func apply(_ set: ManifestSet, changedKeys: Set<ObjectKey>?) -> [ResourceEvent] {
        guard let changedKeys, hasSynced else { return apply(set) }
        let keysStillNamed = Set(set.problems.compactMap(\.key))
        var upserts: [SourcedResource] = []
        var deletions: [ObjectKey] = []
        for key in changedKeys {
            if let resource = set.resources[key] {
                if resources[key] != resource { upserts.append(resource) }
                resources[key] = resource
            } else if let old = resources[key],
                !keysStillNamed.contains(key), !Self.cameFrom(old.origin, anyOf: set.unreadablePaths)
            {
                deletions.append(key)
                resources.removeValue(forKey: key)
            }
        }
        return finish(upserts: upserts, deletions: deletions, problems: set.problems)
    }

    /// As above, comparing every object.
    mutating func apply(_ set: ManifestSet) -> [ResourceEvent] {
        var upserts: [SourcedResource] = []
        for (key, resource) in set.resources where resources[key] != resource {
            upserts.append(resource)
        }
        let keysStillNamed = Set(set.problems.compactMap(\.key))
        var deletions: [ObjectKey] = []
        var next = set.resources
        for (key, resource) in resources where set.resources[key] == nil {
            if keysStillNamed.contains(key) || Self.cameFrom(resource.origin, anyOf: set.unreadablePaths) {
                next[key] = resource
            } else {
                deletions.append(key)
            }
        }
        resources = next
        return finish(upserts: upserts, deletions: deletions, problems: set.problems)
    }

    /// The batch: upserts and deletions in key order, then the problems not reported before.
    private mutating func finish(upserts: [SourcedResource], deletions: [ObjectKey], problems: [ManifestProblem]) -> [ResourceEvent] {
        let newProblems = problems.filter { !reported.contains($0) }
        reported = Set(problems)
        // Sized once, with room for `.synced`: a first read of 10,000 Ingresses is 30,000
        // events, and growing the array by appending copied it twice into twice the room.
        var events: [ResourceEvent] = []
        events.reserveCapacity(upserts.count + deletions.count + newProblems.count + 1)
        events.append(contentsOf: upserts.sorted { $0.key < $1.key }.lazy.map(ResourceEvent.upserted))
        events.append(contentsOf: deletions.sorted().lazy.map(ResourceEvent.deleted))
        events.append(contentsOf: newProblems.lazy.map { .rejected($0.key, $0.error) })
        return finish(consume events)
    }

    /// The batch for a read that failed as a whole (the folder vanished): everything is kept.
    mutating func apply(folderError error: SourceError) -> [ResourceEvent] {
        let problem = ManifestProblem(key: nil, error: error)
        guard !reported.contains(problem) else { return finish([]) }
        reported.insert(problem)
        return finish([.rejected(nil, error)])
    }

    /// Consumes `events`, so that appending `.synced` to a batch sized for it copies nothing.
    private mutating func finish(_ events: consuming [ResourceEvent]) -> [ResourceEvent] {
        guard !events.isEmpty || !hasSynced else { return [] }
        hasSynced = true
        var batch = consume events
        batch.append(.synced(Set(ResourceKind.allCases)))
        return batch
    }

    private static func cameFrom(_ origin: Origin, anyOf paths: Set<String>) -> Bool {
        guard case .file(let path, _) = origin else { return false }
        if paths.contains(path) { return true }
        return paths.contains { path.hasPrefix($0 + "/") }
    }
}
