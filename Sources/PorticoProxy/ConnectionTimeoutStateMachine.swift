/// Which timer guards a downstream connection, as a value: the idle (keep-alive) timer between
/// requests, the header timer while a request head is arriving, none while a request is being
/// served (the upstream timeouts own that phase), and the idle timer again, moved on by every
/// read, while the body of an answered request is read and dropped.
///
/// nginx's `client_header_timeout` and `keepalive_timeout` in one machine. A pipelined request
/// whose head was already buffered starts under the idle timer, not the header timer: the
/// machine learns about bytes only when they are read from the socket.
struct ConnectionTimeoutStateMachine {
    enum State: Equatable {
        case waitingForRequest
        case readingHead
        case servingRequest
        /// Answered; the rest of the request's body is arriving and being dropped.
        case discardingBody
        case closed
    }

    enum Action: Equatable {
        case none
        case armIdleTimer
        case armHeaderTimer
        case cancelTimer
        /// The idle timer expired: close without a response (nothing was asked).
        case close
        /// The header timer expired: answer 408 and close.
        case sendRequestTimeoutAndClose
    }

    private(set) var state: State = .waitingForRequest

    /// The connection became active: wait for the first request.
    mutating func channelActive() -> Action {
        guard self.state == .waitingForRequest else { return .none }
        return .armIdleTimer
    }

    /// Bytes arrived from the client.
    mutating func bytesReceived() -> Action {
        switch self.state {
        case .waitingForRequest:
            self.state = .readingHead
            return .armHeaderTimer
        case .discardingBody:
            // Still sending: the connection is not idle.
            return .armIdleTimer
        case .readingHead, .servingRequest, .closed:
            return .none
        }
    }

    /// A complete request head was decoded.
    mutating func headReceived() -> Action {
        switch self.state {
        case .waitingForRequest, .readingHead, .discardingBody:
            self.state = .servingRequest
            return .cancelTimer
        case .servingRequest, .closed:
            return .none
        }
    }

    /// The response and the request are complete; the connection waits for the next request.
    mutating func responseCompleted() -> Action {
        switch self.state {
        case .servingRequest, .discardingBody:
            self.state = .waitingForRequest
            return .armIdleTimer
        case .waitingForRequest, .readingHead, .closed:
            return .none
        }
    }

    /// The response is complete and the rest of the request's body is being dropped: a client
    /// that stops sending it is closed after the idle timeout, without an answer (it has one).
    mutating func discardingBody() -> Action {
        guard self.state == .servingRequest else { return .none }
        self.state = .discardingBody
        return .armIdleTimer
    }

    /// The armed timer fired.
    mutating func timerFired() -> Action {
        switch self.state {
        case .waitingForRequest, .discardingBody:
            self.state = .closed
            return .close
        case .readingHead:
            self.state = .closed
            return .sendRequestTimeoutAndClose
        case .servingRequest, .closed:
            return .none
        }
    }

    mutating func channelInactive() -> Action {
        self.state = .closed
        return .cancelTimer
    }
}
