import PorticoModel
import Synchronization

/// The bounded queue between a watch transfer (producer, on the driver thread) and the task
/// iterating the watch stream (consumer).
///
/// Backpressure is a bounded buffer: when more than `capacity` events wait unread, the watch
/// is ended with a `transport` error after the consumer has read every event already
/// decoded, so a reflector resumes from the last event it saw, losing nothing. Pausing the
/// transfer (`CURL_WRITEFUNC_PAUSE`) was the alternative; it was not chosen because all
/// watches share one HTTP/2 connection, and libcurl's pausing of one h2 stream has stalled
/// whole connections in several releases (curl issues #4939, #9180, #10988, #19334): one slow
/// consumer must not freeze every other watch. The cap is `capacity` plus the events of one
/// chunk (libcurl hands over at most 16 KiB at a time; an event line is at least ~30 bytes).
/// A consumer that only updates a store keeps up with any real API server; 10 000 unread
/// events means it is stuck, and a fresh watch is the cheap way out.
final class WatchEventBuffer<Object: Decodable & Sendable>: Sendable {
    static var capacity: Int { 10_000 }

    private struct State {
        var events: [WatchEvent<Object>] = []
        var head = 0
        /// Set when the transfer ended: nil error means the server ended the watch.
        var end: (any Error)?? = nil
        var endDelivered = false
        var waiter: CheckedContinuation<WatchEvent<Object>?, any Error>?
        var isCancelled = false

        var count: Int { events.count - head }

        mutating func pop() -> WatchEvent<Object>? {
            guard head < events.count else { return nil }
            let event = events[head]
            head += 1
            if head == events.count {
                events.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 512 && head * 2 >= events.count {
                events.removeFirst(head)
                head = 0
            }
            return event
        }
    }

    private enum Outcome {
        case event(WatchEvent<Object>)
        case end((any Error)?)
        case wait
    }

    private let state = Mutex(State())
    private let onCancel: @Sendable () -> Void

    /// `onCancel` ends the transfer; it is called at most once.
    init(onCancel: @escaping @Sendable () -> Void) {
        self.onCancel = onCancel
    }

    // MARK: Producer

    /// Queues `events`; returns false when the unread events now exceed `capacity` (the
    /// producer then ends the transfer).
    @discardableResult
    func append(_ events: [WatchEvent<Object>]) -> Bool {
        guard !events.isEmpty else { return true }
        let (delivery, withinCapacity): ((CheckedContinuation<WatchEvent<Object>?, any Error>, WatchEvent<Object>)?, Bool) = state.withLock { state in
            guard !state.isCancelled else { return (nil, true) }
            state.events.append(contentsOf: events)
            let withinCapacity = state.count <= Self.capacity
            guard let waiter = state.waiter, let first = state.pop() else { return (nil, withinCapacity) }
            state.waiter = nil
            return ((waiter, first), withinCapacity)
        }
        if let (waiter, event) = delivery { waiter.resume(returning: event) }
        return withinCapacity
    }

    func finish(error: (any Error)?) {
        let waiter: CheckedContinuation<WatchEvent<Object>?, any Error>? = state.withLock { state in
            guard state.end == nil else { return nil }
            state.end = .some(error)
            guard state.count == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.endDelivered = true
            return waiter
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    // MARK: Consumer

    /// The next event; nil once the server ended the watch; throws the transfer's error once.
    func next() async throws -> WatchEvent<Object>? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WatchEvent<Object>?, any Error>) in
                let outcome: Outcome = state.withLock { state in
                    if state.isCancelled { return .end(CancellationError()) }
                    if let event = state.pop() { return .event(event) }
                    if let end = state.end {
                        if state.endDelivered { return .end(nil) }
                        state.endDelivered = true
                        return .end(end)
                    }
                    state.waiter = continuation
                    return .wait
                }
                switch outcome {
                case .event(let event):
                    continuation.resume(returning: event)
                case .end(let error?):
                    continuation.resume(throwing: error)
                case .end(nil):
                    continuation.resume(returning: nil)
                case .wait:
                    break
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The consumer is gone (its task was cancelled or it dropped the stream): wake a waiting
    /// `next()` and end the transfer.
    func cancel() {
        let (waiter, first) = state.withLock { state -> (CheckedContinuation<WatchEvent<Object>?, any Error>?, Bool) in
            defer {
                state.isCancelled = true
                state.waiter = nil
                state.events.removeAll()
                state.head = 0
            }
            return (state.waiter, !state.isCancelled)
        }
        waiter?.resume(throwing: CancellationError())
        if first { onCancel() }
    }
}

/// Held only by the watch stream's `unfolding` closure, so that it is released when the
/// consumer drops the stream (breaks out of its loop, or is cancelled): its `deinit` then
/// ends the transfer, which a consumer that merely stops iterating would otherwise keep open.
final class WatchStreamLifetime<Object: Decodable & Sendable>: Sendable {
    let buffer: WatchEventBuffer<Object>

    init(buffer: WatchEventBuffer<Object>) {
        self.buffer = buffer
    }

    deinit {
        buffer.cancel()
    }
}
