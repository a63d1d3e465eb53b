internal import Synchronization

/// Credentials, access rules and fault knobs. All take effect for the next request; open watch
/// streams keep running unless a knob ends them.
extension TestAPIServer {
    /// Replaces the accepted bearer tokens (token to user), as a token rotation does. Open
    /// watches stay open, as on a real server.
    public func setTokens(_ tokens: [String: String]) {
        core.state.withLock { $0.tokens = tokens }
    }

    public func addToken(_ token: String, user: String = TestAPIServer.defaultUser) {
        core.state.withLock { $0.tokens[token] = user }
    }

    public func removeToken(_ token: String) {
        core.state.withLock { _ = $0.tokens.removeValue(forKey: token) }
    }

    /// Answers requests matching `rule` with 403 Forbidden and the real server's message.
    public func deny(_ rule: AccessRule) {
        core.state.withLock { $0.denials.append(rule) }
    }

    /// Removes every `deny` rule.
    public func allowAll() {
        core.state.withLock { $0.denials.removeAll() }
    }

    /// Answers the next `count` authenticated requests whose path starts with `pathPrefix` (and
    /// whose method is `method`, when given) with `fault` instead of serving them. Queued rules
    /// are used in order.
    public func failNextRequests(_ count: Int, with fault: InjectedFault, pathPrefix: String? = nil, method: String? = nil) {
        guard count > 0 else { return }
        core.state.withLock { $0.faults.append(FaultRule(fault: fault, remaining: count, pathPrefix: pathPrefix, method: method)) }
    }

    /// Holds the next `count` requests whose path starts with `pathPrefix` (and whose method
    /// is `method`, when given) for `delay` before serving them, to test client timeouts.
    public func delayNextRequests(_ count: Int, by delay: Duration, pathPrefix: String? = nil, method: String? = nil) {
        guard count > 0 else { return }
        core.state.withLock { $0.delays.append(DelayRule(delay: delay, remaining: count, pathPrefix: pathPrefix, method: method)) }
    }

    /// Cuts every open watch mid-stream. On HTTP/1.1 the watch's connection closes without the
    /// terminating chunk, as when a load balancer cuts it; on HTTP/2 the watch's stream is reset
    /// (`RST_STREAM`) and the shared connection, with its other requests, stays up, as when
    /// kube-apiserver aborts one watch handler. Either way the client sees a transport error.
    public func dropWatches() {
        core.state.withLock { $0.endWatches(clean: false) }
    }

    /// Closes every TCP connection, idle keep-alive ones included, as an API server restart
    /// does: with HTTP/2 every stream on a connection ends with it, without a per-stream reset.
    /// Objects, history and resourceVersions stay, so clients can resume their watches.
    public func dropConnections() {
        core.state.withLock { $0.watches.removeAll() }
        core.closeConnections()
    }

    /// Connections accepted since start (to check that a client reuses its connections).
    public var acceptedConnectionCount: Int {
        core.acceptedConnectionCount
    }

    /// Connections open now.
    public var openConnectionCount: Int {
        core.openConnectionCount
    }

    /// Ends every open watch cleanly, as `timeoutSeconds` does.
    public func endWatches() {
        core.state.withLock { $0.endWatches(clean: true) }
    }

    /// Sends every open watch a 410 Expired `ERROR` event and ends it, as the real server does
    /// when a watcher falls too far behind.
    public func expireWatches() {
        let status = APIStatus(code: 410, reason: "Expired", message: "The resourceVersion for the provided watch is too old.")
        core.state.withLock { $0.endWatches(clean: true, after: .error(status)) }
    }

    /// Forgets the history up to the current resourceVersion: watches and exact lists from any
    /// older version, and continue tokens issued before, get 410 Expired.
    public func compact() {
        core.state.withLock { $0.store.compact(through: $0.store.resourceVersion) }
    }

    /// Forgets the history up to and including `resourceVersion`.
    public func compact(through resourceVersion: Int) {
        core.state.withLock { $0.store.compact(through: resourceVersion) }
    }

    /// Stops periodic bookmarks until `resumeBookmarks()`.
    public func pauseBookmarks() {
        core.state.withLock { $0.bookmarksPaused = true }
    }

    public func resumeBookmarks() {
        core.state.withLock { $0.bookmarksPaused = false }
    }

    /// Sends a bookmark at the current resourceVersion to every open watch that allows them,
    /// paused or not.
    public func sendBookmarks() {
        core.state.withLock { $0.sendBookmarks(force: true) }
    }

    /// How many watch streams are open.
    public var openWatchCount: Int {
        core.state.withLock { $0.watches.count }
    }

    /// Waits until at least `count` watches are open; false if `timeout` passes first.
    public func waitForWatches(atLeast count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await wait(timeout: timeout) { $0.openWatchCount >= count }
    }

    /// Waits until `condition` holds, checking every 10 ms; false if `timeout` passes first.
    /// For conditions on what a client did: `server.wait { $0.requests(verb: "update").count == 1 }`.
    public func wait(timeout: Duration = .seconds(10), until condition: (TestAPIServer) -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(self)
    }

    /// Every request answered so far, oldest first.
    public var requests: [RecordedRequest] {
        core.state.withLock { $0.requests }
    }

    /// The answered requests that could change state.
    public var writes: [RecordedRequest] {
        requests.filter(\.isWrite)
    }

    /// The answered requests with this Kubernetes verb (and resource, such as
    /// `ingresses/status`, and name when given).
    public func requests(verb: String, resource: String? = nil, name: String? = nil) -> [RecordedRequest] {
        requests.filter { request in
            request.verb == verb && (resource.map { $0 == request.resource } ?? true) && (name.map { $0 == request.name } ?? true)
        }
    }

    public func clearRequests() {
        core.state.withLock { $0.requests.removeAll() }
    }
}
