public import Logging
internal import Synchronization

/// Logs API-server failures once per class instead of once per retry: the first failure of a
/// class is logged, and again only after the class changed or the connection recovered, so an
/// API server down for an hour is a handful of lines, not thousands. Shared by every reflector
/// (and the leader elector) of a process, so that six reflectors failing alike log one line.
public final class FailureReporter: Sendable {
    private struct State {
        /// The current failure of each requester (a reflector's resource, the elector).
        var active: [String: APIFailure.Class] = [:]
        /// The classes logged since the last recovery.
        var logged: Set<APIFailure.Class> = []
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let level: Logger.Level?

    /// - Parameter level: the level of every line; nil logs credential, certificate and RBAC
    ///   failures as errors and the rest as warnings. The libcurl client logs each failure
    ///   class itself, so with it this is `.debug`, to say things once.
    public init(logger: Logger, level: Logger.Level? = nil) {
        self.logger = logger
        self.level = level
    }

    /// Records a failure of `requester`; logs it when its class is new.
    public func failed(_ failure: APIFailure, requester: String) {
        let shouldLog = state.withLock { state in
            state.active[requester] = failure.failureClass
            return state.logged.insert(failure.failureClass).inserted
        }
        if shouldLog {
            switch failure.failureClass {
            case .unauthorized, .forbidden, .certificate: logger.log(level: level ?? .error, "\(failure.description)")
            case .unreachable, .overloaded, .other: logger.log(level: level ?? .warning, "\(failure.description)")
            }
        }
    }

    /// Records a success of `requester`; logs the recovery when it was the last one failing.
    public func succeeded(requester: String) {
        let recovered = state.withLock { state in
            guard state.active.removeValue(forKey: requester) != nil else { return false }
            guard state.active.isEmpty else { return false }
            state.logged.removeAll()
            return true
        }
        if recovered {
            logger.log(level: level ?? .info, "API server requests succeed again")
        }
    }

    /// Whether any requester is failing now.
    public var isFailing: Bool { state.withLock { !$0.active.isEmpty } }
}
