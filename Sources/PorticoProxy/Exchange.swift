internal import NIOCore
internal import NIOHTTP1
internal import PorticoRouteTable

/// One proxied request and its response: what was asked, where it goes, and how far each
/// direction has got. Owned by `ProxyHandler` and touched only on its event loop.
final class Exchange {
    /// The table loaded when the head arrived; the whole request uses it (a publish midway
    /// does not change where this request goes).
    let table: RouteTable
    let source: RouteSource
    /// The route's cluster, for how to speak to `endpoint`.
    let cluster: Cluster
    let endpoint: Endpoint
    /// The head to send upstream, already rewritten.
    let upstreamHead: HTTPRequestHead
    let facts: HeaderRewriter.RequestFacts
    let method: HTTPMethod
    let host: String
    let path: String
    let downstreamVersion: HTTPVersion
    let downstreamKeepAlive: Bool
    let start: NIODeadline

    var connection: UpstreamConnection?
    var connectionWasReused = false
    var retried = false
    /// Request parts that arrived before the upstream connection was ready. Bounded by what
    /// the reads already issued can decode: reading stops while connecting. An array, which
    /// allocates nothing until a part waits (a `CircularBuffer` allocates as it is made, and
    /// on a reused connection nothing ever waits).
    var pending: [HTTPServerRequestPart] = []
    var requestEndReceived = false
    var requestEndSent = false
    var bodySent = false
    var responseHeadSent = false
    var status: HTTPResponseStatus = .ok
    var bytesSent = 0
    var upstreamCloses = false
    var closeDownstreamAfterResponse = false
    /// The upstream accepted the upgrade and its 101 went downstream; the switch to a byte
    /// relay happens when the 101 message ends.
    var switchingProtocols = false

    /// Whether a failed upstream attempt may be repeated on a fresh connection: only the stale
    /// keep-alive race qualifies (a reused connection failed before any response byte), only
    /// once, and only while no body byte has been sent, so the upstream cannot have acted on a
    /// partial request.
    var mayRetryOnFreshConnection: Bool {
        self.connectionWasReused && self.facts.upgrade == nil && !self.responseHeadSent && !self.bodySent && !self.retried
    }

    init(
        table: RouteTable,
        route: Route,
        cluster: Cluster,
        endpoint: Endpoint,
        upstreamHead: HTTPRequestHead,
        facts: HeaderRewriter.RequestFacts,
        downstream: Downstream,
        host: String,
        start: NIODeadline
    ) {
        self.table = table
        self.source = route.source
        self.cluster = cluster
        self.endpoint = endpoint
        self.upstreamHead = upstreamHead
        self.facts = facts
        self.method = downstream.method
        self.host = host
        self.path = downstream.uri
        self.downstreamVersion = downstream.version
        self.downstreamKeepAlive = downstream.keepAlive
        self.start = start
    }

    /// What the exchange keeps of the client's head, taken before that head becomes the
    /// upstream one (moved, not copied, so that its header list is edited in place).
    struct Downstream {
        let method: HTTPMethod
        let uri: String
        let version: HTTPVersion
        let keepAlive: Bool

        init(_ head: borrowing HTTPRequestHead) {
            self.method = head.method
            self.uri = head.uri
            self.version = head.version
            // An HTTP/2 request is a stream: the connection outlives it whatever the head says.
            self.keepAlive = head.version.major >= 2 || HTTP1KeepAlive.isKeepAlive(head.headers, version: head.version)
        }
    }
}
