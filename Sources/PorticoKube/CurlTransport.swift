import CPorticoCurl
import CPorticoCurlShims
import Foundation
import Synchronization

/// Runs libcurl transfers on one multi handle driven by a dedicated thread, and bridges them
/// to async callers.
///
/// Why a thread of its own: libcurl handles are not thread-safe, and `curl_multi_poll`
/// blocks. Everything that touches the multi or an easy handle after submission runs on the
/// driver thread; other threads only append commands to a lock-protected queue and call
/// `curl_multi_wakeup`, the one multi call libcurl documents as safe from another thread.
///
/// One multi handle means one connection pool: with HTTP/2 (`CURLPIPE_MULTIPLEX`) every
/// request and watch to the API server shares one TLS connection, as client-go's do.
final class CurlTransport: Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(UInt64)
    }

    private struct Queue {
        var nextID: UInt64 = 1
        /// IDs handed out but not yet submitted, and whether they were cancelled meanwhile,
        /// so that a cancellation racing a submission is not lost.
        var reserved: [UInt64: Bool] = [:]
        var commands: [Command] = []
        var isShutDown = false
    }

    /// The multi handle, touched only by the driver thread once created (and by
    /// `curl_multi_wakeup`, which is thread-safe, under the queue lock so it never races
    /// the cleanup).
    private struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let multi: MultiHandle
    private let queue = Mutex(Queue())
    private let stopped = DispatchSemaphore(value: 0)

    init() throws {
        _ = Self.globalInit
        guard let multi = curl_multi_init() else {
            throw KubeAPIError(kind: .configuration, message: "libcurl could not create a multi handle")
        }
        portico_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        self.multi = MultiHandle(pointer: multi)
        let thread = Thread { [self] in self.drive() }
        thread.name = "portico-kube-curl"
        thread.start()
    }

    /// `curl_global_init` once per process, before the first handle.
    private static let globalInit: Void = {
        _ = curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    /// Whether this libcurl can speak HTTP/2 at all (ALPN still decides per connection).
    static var supportsHTTP2: Bool { portico_curl_supports_http2() != 0 }

    // MARK: Submission (any thread)

    /// An ID for a transfer about to be submitted; cancel it with `cancel(_:)` even before
    /// `submit(_:)`.
    func reserveID() -> UInt64 {
        queue.withLock { queue in
            let id = queue.nextID
            queue.nextID += 1
            queue.reserved[id] = false
            return id
        }
    }

    /// Hands `transfer` to the driver thread. A transfer cancelled before submission, or
    /// submitted after shutdown, fails at once.
    func submit(_ transfer: CurlTransfer) {
        let refusal: (any Error)? = queue.withLock { queue in
            let cancelled = queue.reserved.removeValue(forKey: transfer.id) ?? false
            if queue.isShutDown {
                return KubeAPIError(kind: .transport, message: "\(transfer.request.method.rawValue) \(transfer.request.target): the API client is shut down")
            }
            if cancelled { return CancellationError() }
            queue.commands.append(.add(transfer))
            curl_multi_wakeup(multi.pointer)
            return nil
        }
        if let refusal { transfer.fail(refusal) }
    }

    /// Forgets a reserved ID whose transfer was never built.
    func release(_ id: UInt64) {
        _ = queue.withLock { $0.reserved.removeValue(forKey: id) }
    }

    /// Removes a transfer from the multi handle; its caller sees a `CancellationError`.
    func cancel(_ id: UInt64) {
        queue.withLock { queue in
            if queue.reserved[id] != nil {
                queue.reserved[id] = true
                return
            }
            guard !queue.isShutDown else { return }
            queue.commands.append(.cancel(id))
            curl_multi_wakeup(multi.pointer)
        }
    }

    /// Fails every transfer in flight and stops the driver thread; returns once it has.
    /// Idempotent.
    func shutdown() {
        let first = queue.withLock { queue in
            defer { queue.isShutDown = true }
            if !queue.isShutDown { curl_multi_wakeup(multi.pointer) }
            return !queue.isShutDown
        }
        if first { stopped.wait() }
    }

    // MARK: Driver thread

    private func drive() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var byID: [UInt64: UnsafeMutableRawPointer] = [:]

        func remove(_ easy: UnsafeMutableRawPointer) -> CurlTransfer? {
            guard let transfer = active.removeValue(forKey: easy) else { return nil }
            byID.removeValue(forKey: transfer.id)
            curl_multi_remove_handle(multi.pointer, easy)
            return transfer
        }

        while true {
            let (commands, isShutDown) = queue.withLock { queue in
                defer { queue.commands.removeAll(keepingCapacity: true) }
                return (queue.commands, queue.isShutDown)
            }
            if isShutDown {
                for command in commands {
                    if case .add(let transfer) = command { active[transfer.easy] = transfer }
                }
                for easy in Array(active.keys) {
                    remove(easy)?.fail(KubeAPIError(kind: .transport, message: "the API client is shut down"))
                }
                break
            }
            for command in commands {
                switch command {
                case .add(let transfer):
                    let code = curl_multi_add_handle(multi.pointer, transfer.easy)
                    if code == CURLM_OK {
                        active[transfer.easy] = transfer
                        byID[transfer.id] = transfer.easy
                    } else {
                        let reason = String(cString: curl_multi_strerror(code))
                        transfer.fail(KubeAPIError(kind: .transport, message: "\(transfer.request.method.rawValue) \(transfer.request.target): libcurl refused the transfer: \(reason)"))
                    }
                case .cancel(let id):
                    if let easy = byID[id] {
                        remove(easy)?.fail(CancellationError())
                    }
                }
            }

            var running: Int32 = 0
            curl_multi_perform(multi.pointer, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi.pointer, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                remove(easy)?.complete(code)
            }
            // Wakes for socket activity, for libcurl's own timers (it shortens the wait), or
            // for `curl_multi_wakeup` when a command is queued.
            curl_multi_poll(multi.pointer, nil, 0, 1000, nil)
        }
        curl_multi_cleanup(multi.pointer)
        stopped.signal()
    }
}
