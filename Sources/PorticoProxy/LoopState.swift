internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import PorticoBalancing
internal import PorticoRouteTable

/// Everything one event loop keeps for the requests it serves: upstream pools, balancer
/// cursors, metric handles and its open downstream connections.
///
/// Each loop has its own, touched only from that loop, so nothing on the request path takes a
/// lock or an atomic (Envoy's per-worker model).
final class LoopState {
    let pool: UpstreamPool
    let metrics: ProxyMetrics
    /// Connection and request deadlines of this loop's downstream connections.
    let timers: LoopTimerQueue
    private var balancers: [ClusterID: RoundRobin] = [:]
    private var connections: [ObjectIdentifier: any Channel] = [:]
    /// Client addresses read from PROXY protocol headers, by downstream connection; empty
    /// unless `--enable-proxy-protocol` is on.
    private var proxiedClients: [ObjectIdentifier: String] = [:]
    private let seed: Int
    /// The `Strict-Transport-Security` field, printed once here rather than by every handler
    /// (each HTTP/2 stream has its own), and kept as a list to append: `HTTPHeaders.add(name:value:)`
    /// checks the name and value for non-ASCII bytes, about 700 instructions a response. Nil
    /// when HSTS is off.
    let hstsField: HTTPHeaders?
    /// The request head strings the last closed connection left (see `HTTP1RecentFields.Shelf`).
    let recentRequestFields = HTTP1RecentFields.Shelf()
    /// Where `HeaderRewriter` collects the fields it appends to each request head: one list
    /// for the loop, emptied after each use with its capacity kept, instead of one allocated
    /// and freed per request.
    var requestFieldsToAdd: [(String, String)] = []

    init(
        eventLoop: any EventLoop,
        configuration: ProxyConfiguration,
        seed: Int,
        logger: Logger = Logger(label: "portico.upstream"),
        logGate: UpstreamLogGate = UpstreamLogGate()
    ) {
        self.pool = UpstreamPool(eventLoop: eventLoop, configuration: configuration, logger: logger, logGate: logGate)
        self.metrics = ProxyMetrics()
        self.timers = LoopTimerQueue(eventLoop: eventLoop)
        self.seed = seed
        self.hstsField = configuration.tls.hsts.map { ["strict-transport-security": $0.headerValue] }
    }

    /// The next endpoint of `cluster` in round-robin order, or nil when it has none.
    func pickEndpoint(_ cluster: ClusterID, from endpoints: [Endpoint]) -> Endpoint? {
        guard let index = self.balancers[cluster, default: RoundRobin(seed: self.seed)].next(count: endpoints.count)
        else { return nil }
        return endpoints[index]
    }

    func connectionOpened(_ channel: any Channel) {
        self.connections[ObjectIdentifier(channel)] = channel
    }

    /// The downstream connections open on this loop.
    var openConnections: Dictionary<ObjectIdentifier, any Channel>.Values { self.connections.values }

    func connectionClosed(_ channel: any Channel) {
        self.connections[ObjectIdentifier(channel)] = nil
        if !self.proxiedClients.isEmpty { self.proxiedClients[ObjectIdentifier(channel)] = nil }
    }

    /// Records the client address a PROXY protocol header gave for `channel` (a downstream
    /// connection this loop tracks); it replaces the socket's peer in `clientAddress(of:)`.
    func recordProxiedClient(_ address: String, for channel: any Channel) {
        self.proxiedClients[ObjectIdentifier(channel)] = address
    }

    /// The address to report for the client of `channel` (X-Forwarded-For, X-Real-IP, the
    /// access log): the PROXY protocol source when the connection (or, for a multiplexed
    /// stream, its parent) had one, else the socket's peer.
    func clientAddress(of channel: any Channel) -> String? {
        if !self.proxiedClients.isEmpty {
            if let address = self.proxiedClients[ObjectIdentifier(channel)] { return address }
            if let parent = channel.parent, let address = self.proxiedClients[ObjectIdentifier(parent)] { return address }
        }
        return channel.remoteAddress.flatMap(IPAddressText.of)
    }

    /// Closes every open downstream connection (the grace period is over).
    func closeConnections() {
        for channel in self.connections.values {
            channel.close(promise: nil)
        }
    }

    /// Asks every open connection to finish its in-flight request and close.
    func quiesceConnections() {
        for channel in self.connections.values {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }
}

/// The `LoopState` of every event loop of a group, looked up by the loop a channel runs on.
final class LoopStates: Sendable {
    private let states: [ObjectIdentifier: NIOLoopBoundBox<LoopState>]

    init(group: any EventLoopGroup, configuration: ProxyConfiguration, logger: Logger = Logger(label: "portico.upstream")) {
        var states: [ObjectIdentifier: NIOLoopBoundBox<LoopState>] = [:]
        let logGate = UpstreamLogGate()
        for (index, loop) in group.makeIterator().enumerated() {
            let state = LoopState(eventLoop: loop, configuration: configuration, seed: index, logger: logger, logGate: logGate)
            states[ObjectIdentifier(loop)] = NIOLoopBoundBox.makeBoxSendingValue(state, eventLoop: loop)
        }
        self.states = states
    }

    /// The state of `loop`; must be called on `loop`.
    func state(for loop: any EventLoop) -> LoopState? {
        self.states[ObjectIdentifier(loop)]?.value
    }

    /// Runs `body` on every loop with its state, and waits for all of them.
    func forEach(_ body: @escaping @Sendable (LoopState) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for bound in self.states.values {
                group.addTask {
                    try? await bound.eventLoop.submit { body(bound.value) }.get()
                }
            }
        }
    }
}
