internal import NIOCore
internal import NIOHTTP1

/// What an HTTP/1.1 client sent after a complete request whose response is still under way
/// (pipelining, RFC 9112 section 9.3.2), held in arrival order until that response ends, and
/// the bounds on how much of it a connection may hold.
///
/// `ProxyHandler` owns pipelining itself. NIO's `HTTPServerPipelineHandler` did this job, but
/// as a separate handler it unwrapped every request and response part (a runtime cast of about
/// 470 instructions each, five per request) and held reads while a response was in flight, so
/// a second handler had to read ahead for it: together about 4,500 instructions of a
/// keep-alive request (bench/README.md).
struct PipelinedRequests {
    /// One held event: a request part, or the parse error that ended the request stream.
    enum Event {
        case part(HTTPServerRequestPart)
        case parserError(HTTP1ParseError)
    }

    /// Requests held at most before reads stop. Clients rarely pipeline; four covers those that
    /// do without letting one make the proxy buffer many.
    static let maxRequests = 4
    /// Body bytes held at most before reads stop: what one socket read usually returns, and
    /// small next to the header limit times the request cap.
    static let maxBodyBytes = 64 * 1024

    /// Empty until a client pipelines: an empty array does not allocate.
    private var events: [Event] = []
    private var requests = 0
    private var bodyBytes = 0

    var isEmpty: Bool { self.events.isEmpty }

    /// Whether the connection should stop reading until the response in flight ends: past
    /// either bound, whatever the client sends next waits in the socket (TCP backpressure).
    var isFull: Bool { self.requests >= Self.maxRequests || self.bodyBytes > Self.maxBodyBytes }

    /// Whether the next event is a body part or the end of a request already handed on, not a
    /// next request (or the parse error that stands for one).
    var continuesARequest: Bool {
        switch self.events.first {
        case .part(.body)?, .part(.end)?: return true
        case .part(.head)?, .parserError?, nil: return false
        }
    }

    mutating func append(_ event: Event) {
        switch event {
        case .part(.head): self.requests += 1
        case .part(.body(let buffer)): self.bodyBytes += buffer.readableBytes
        case .part(.end), .parserError: ()
        }
        self.events.append(event)
    }

    mutating func popFirst() -> Event? {
        guard !self.events.isEmpty else { return nil }
        let event = self.events.removeFirst()
        switch event {
        case .part(.head): self.requests -= 1
        case .part(.body(let buffer)): self.bodyBytes -= buffer.readableBytes
        case .part(.end), .parserError: ()
        }
        return event
    }

    mutating func removeAll() {
        self.events.removeAll()
        self.requests = 0
        self.bodyBytes = 0
    }
}
