internal import NIOHTTP2

/// Where one HTTP/2 request stands against `HTTP2RequestBlockRules`, frame by frame: its first
/// HEADERS is the request's head, a later one its trailers, and once a block breaks the rules
/// the stream is reset (PROTOCOL_ERROR, RFC 9113 section 8.1.1) and whatever else arrives on
/// it is dropped. `HTTP2StreamFront` asks it about every inbound frame payload.
struct HTTP2RequestValidation {
    enum Verdict: Equatable {
        /// The payload goes on to the proxy.
        case pass
        /// The payload breaks the rules: reset the stream, and pass nothing more.
        case reset
        /// The stream was reset already: drop the payload.
        case drop
    }

    private enum State {
        case awaitingHead
        case awaitingTrailers
        case rejected
    }

    private var state = State.awaitingHead

    mutating func admit(_ payload: HTTP2Frame.FramePayload) -> Verdict {
        switch self.state {
        case .rejected:
            return .drop
        case .awaitingHead, .awaitingTrailers:
            guard case .headers(let headers) = payload else { return .pass }
            let violation: HTTP2RequestBlockRules.Violation?
            if case .awaitingHead = self.state {
                violation = HTTP2RequestBlockRules.checkRequest(headers.headers)
                self.state = .awaitingTrailers
            } else {
                violation = HTTP2RequestBlockRules.checkTrailers(headers.headers)
            }
            guard violation == nil else {
                self.state = .rejected
                return .reset
            }
            return .pass
        }
    }
}
