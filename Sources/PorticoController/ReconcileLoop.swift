public import PorticoModel

/// The one serialized loop that feeds a `Reconciler`: it reads a source's events, coalesces
/// bursts with a `Coalescer`, and publishes.
///
/// A `.synced` event marks the end of a batch (the manifest source sends one after every folder
/// change, the API informer after its initial lists), so it publishes at once instead of waiting
/// out the holdoff. Everything touching the reconciler happens in this loop, so nothing locks.
public struct ReconcileLoop<Source: AsyncSequence & Sendable, C: Clock & Sendable>: Sendable
where Source.Element == ResourceEvent, C.Duration == Duration {
    private let source: Source
    private let clock: C
    private let holdoff: Duration
    private let maxHoldoff: Duration

    public init(source: Source, clock: C, holdoff: Duration = .milliseconds(100), maxHoldoff: Duration = .seconds(1)) {
        self.source = source
        self.clock = clock
        self.holdoff = holdoff
        self.maxHoldoff = maxHoldoff
    }

    private enum Input: Sendable {
        case event(ResourceEvent)
        case tick
        case sourceEnded
    }

    /// Runs until the source ends or the task is cancelled. `onPublish` sees every publication.
    public func run(
        reconciler: Reconciler,
        onPublish: (Reconciler.Publication) -> Void
    ) async {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        let source = self.source
        let clock = self.clock
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    for try await event in source { continuation.yield(.event(event)) }
                } catch {
                    // Sources report their own failures as events; an error ending the sequence
                    // only means it stopped.
                }
                continuation.yield(.sourceEnded)
            }
            var coalescer = Coalescer<C.Instant>(holdoff: holdoff, maxHoldoff: maxHoldoff)
            var timerArmed = false
            func arm(_ deadline: C.Instant) {
                guard !timerArmed else { return }
                timerArmed = true
                group.addTask {
                    try? await clock.sleep(until: deadline, tolerance: nil)
                    continuation.yield(.tick)
                }
            }
            func publish() {
                coalescer.published()
                if let publication = reconciler.publish() { onPublish(publication) }
            }

            inputLoop: for await input in inputs {
                switch input {
                case .event(let event):
                    let change = reconciler.apply(event)
                    if case .synced = event {
                        if reconciler.hasPendingChanges { publish() }
                    } else if change != .none, reconciler.hasSynced {
                        arm(coalescer.changed(at: clock.now))
                    }
                case .tick:
                    timerArmed = false
                    if coalescer.isDue(at: clock.now) {
                        if reconciler.hasPendingChanges { publish() } else { coalescer.published() }
                    } else if let deadline = coalescer.deadline {
                        arm(deadline)
                    }
                case .sourceEnded:
                    break inputLoop
                }
            }
            continuation.finish()
            group.cancelAll()
        }
    }
}
