internal import NIOHTTP1

/// The header rules of an edge proxy, applied in place to the heads that cross it.
///
/// Hop-by-hop headers describe one connection, not the message, so they are dropped in both
/// directions (RFC 9110 section 7.6.1): `Connection` and every header it names, plus the fixed
/// list that `HeaderPresence` flags as `hopByHop` (`Keep-Alive`, `TE`, `Trailer`, `Upgrade`,
/// `Proxy-Connection`, `Proxy-Authenticate`, `Proxy-Authorization`). `Transfer-Encoding` is
/// dropped too; the encoders frame each side again.
/// An upgrade request (WebSocket) is the exception: its `Connection: upgrade` and `Upgrade`
/// are kept, as nginx and Envoy do, and so are those of the 101 that accepts it.
enum HeaderRewriter {
    /// What the request said about its own framing and expectations before the rewrite.
    struct RequestFacts {
        /// The client sent `Expect: 100-continue`; Portico answers it itself.
        var expectsContinue: Bool
        /// The body is chunked; the upstream request is re-framed as chunked.
        var isChunked: Bool
        /// The protocol an upgrade request asks for (its `Upgrade` value), nil for other requests.
        var upgrade: String?
        /// The rewritten head's framing fields, for its encoder.
        var framing: HTTP1BodyFraming.KnownFields {
            HTTP1BodyFraming.KnownFields(contentLength: self.hasContentLength, chunked: self.isChunked)
        }
        var hasContentLength = false
    }

    /// What rewriting an upstream response head found.
    struct ResponseFacts {
        /// The upstream asked to close its connection (so the pool must not keep it).
        var upstreamCloses: Bool
        /// The rewritten head's framing fields (`Transfer-Encoding`, hop-by-hop, is gone), for
        /// its encoder.
        var framing: HTTP1BodyFraming.KnownFields
    }

    /// The `Upgrade` value of an HTTP/1.1 GET that carries `Connection: upgrade`; nil otherwise.
    /// Tokens compare case-insensitively.
    static func upgradeProtocol(_ head: HTTPRequestHead) -> String? {
        // `contains(name:)` first: it scans without allocating, and almost no request upgrades.
        guard head.method == .GET, head.version == .http1_1, head.headers.contains(name: "upgrade"),
            head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "upgrade" }),
            let value = head.headers.first(name: "upgrade"), !value.isEmpty
        else { return nil }
        return value
    }

    /// Turns a downstream request head into the head sent upstream: HTTP/1.1, hop-by-hop headers
    /// removed, `Expect: 100-continue` consumed, and the `X-Forwarded-*` family set as
    /// ingress-nginx does (`X-Forwarded-For` keeps the client's value and appends its address).
    /// `Host` is left as the client sent it.
    ///
    /// The fields it appends are collected in `added`, which it leaves empty with its
    /// capacity: the proxy passes one list per event loop (`LoopState.requestFieldsToAdd`), so
    /// that a request allocates none.
    static func rewriteRequest(
        _ head: inout HTTPRequestHead,
        clientAddress: String?,
        listenerPort: String,
        scheme: String,
        collectingIn added: inout [(String, String)]
    ) -> RequestFacts {
        let present = HeaderPresence(scanning: head.headers)
        var facts = RequestFacts(
            expectsContinue: false,
            isChunked: false,
            upgrade: present.contains(.upgrade) ? self.upgradeProtocol(head) : nil,
            hasContentLength: present.contains(.contentLength)
        )
        facts.isChunked =
            present.contains(.transferEncoding)
            && head.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
        if present.contains(.expect) {
            facts.expectsContinue = head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
            if facts.expectsContinue { head.headers.remove(name: "expect") }
        }
        // gRPC requires `te: trailers` on its requests (its servers may refuse calls without
        // it), and Portico relays trailers, so that one TE value crosses, as in Envoy.
        let keepsTrailersTE =
            present.contains(.te) && head.headers[canonicalForm: "te"].contains { $0.lowercased() == "trailers" }
            && GRPCStatus.isGRPC(head)
        if present.contains(.hopByHop) { self.removeHopByHop(&head.headers) }
        // Collected and appended at once: `HTTPHeaders.add` checks each name for non-ASCII
        // bytes, about 700 instructions a call, five or more calls a request, for names that
        // are all Portico's own constants. Appending another `HTTPHeaders` checks nothing.
        added.reserveCapacity(6)
        if keepsTrailersTE {
            added.append(("te", "trailers"))
        }
        if facts.isChunked {
            added.append(("transfer-encoding", "chunked"))
        }
        if let upgrade = facts.upgrade {
            added.append(("connection", "upgrade"))
            added.append(("upgrade", upgrade))
        }
        head.version = .http1_1

        if let clientAddress {
            let existing = present.contains(.xForwardedFor) ? head.headers["x-forwarded-for"] : []
            let forwardedFor = existing.isEmpty ? clientAddress : existing.joined(separator: ", ") + ", " + clientAddress
            self.set("x-forwarded-for", to: forwardedFor, in: &head.headers, present: !existing.isEmpty, added: &added)
            self.set("x-real-ip", to: clientAddress, in: &head.headers, present: present.contains(.xRealIP), added: &added)
        }
        if let host = head.headers.first(name: "host") {
            self.set("x-forwarded-host", to: host, in: &head.headers, present: present.contains(.xForwardedHost), added: &added)
        }
        self.set("x-forwarded-proto", to: scheme, in: &head.headers, present: present.contains(.xForwardedProto), added: &added)
        self.set("x-forwarded-port", to: listenerPort, in: &head.headers, present: present.contains(.xForwardedPort), added: &added)
        head.headers.add(contentsOf: HTTPHeaders(added))
        added.removeAll(keepingCapacity: true)
        return facts
    }

    /// Sets a header the proxy owns: the client's goes (a scan only when it sent one), and the
    /// proxy's is appended with the others.
    private static func set(
        _ name: String,
        to value: String,
        in headers: inout HTTPHeaders,
        present: Bool,
        added: inout [(String, String)]
    ) {
        if present { headers.remove(name: name) }
        added.append((name, value))
    }

    /// Strips hop-by-hop headers from an upstream response, and says whether the upstream asked
    /// to close its connection (so the pool must not keep it) and what framing fields are left.
    ///
    /// All from the one scan `removeHopByHop` makes: reading `Connection` for keep-alive
    /// separately (`HTTP1KeepAlive`) scanned the list again and made an array of its values,
    /// about 1,700 instructions a response.
    static func rewriteResponse(_ head: inout HTTPResponseHead) -> ResponseFacts {
        let options = self.removeHopByHop(&head.headers)
        // As `HTTP1KeepAlive.isKeepAlive` (NIO's rule): `close` wins, then `keep-alive`, then
        // the version's default.
        let closes = options.close || !(options.keepAlive || (head.version.major == 1 && head.version.minor >= 1))
        return ResponseFacts(
            upstreamCloses: closes,
            framing: HTTP1BodyFraming.KnownFields(contentLength: options.contentLength, chunked: false)
        )
    }

    /// The keep-alive options a `Connection` field gave, and whether the scan that read it
    /// passed a `Content-Length`.
    struct ConnectionOptions {
        var close = false
        var keepAlive = false
        var contentLength = false
    }

    /// Strips hop-by-hop headers from a 101 Switching Protocols, keeping `Connection: upgrade`
    /// and the upstream's `Upgrade` (the client needs both to accept the switch).
    static func rewriteSwitchingResponse(_ head: inout HTTPResponseHead) {
        let upgrade = head.headers[canonicalForm: "upgrade"].map(String.init)
        self.removeHopByHop(&head.headers)
        head.headers.add(name: "connection", value: "upgrade")
        for value in upgrade { head.headers.add(name: "upgrade", value: value) }
    }

    /// Removes `Connection`, the headers it names and the fixed hop-by-hop list: one scan of
    /// the header list, plus one per header to remove (a keep-alive response: `Connection`).
    /// `Connection` is split by hand: NIO's `canonicalForm` walks it by `Character` and cost
    /// some 7,000 instructions on every keep-alive response.
    @discardableResult
    static func removeHopByHop(_ headers: inout HTTPHeaders) -> ConnectionOptions {
        // Most heads have one hop-by-hop field (`Connection`) naming nothing else: it is kept
        // apart, and the list of the others allocated only when there are any.
        var first: String?
        var others: [String] = []
        var options = ConnectionOptions()
        for header in headers {
            let flags = HeaderPresence.flags(for: header.name)
            if flags.contains(.contentLength) { options.contentLength = true }
            guard flags.contains(.hopByHop) else { continue }
            if first == nil { first = header.name } else { others.append(header.name) }
            if flags.contains(.connection) { self.appendNamedHeaders(of: header.value, to: &others, options: &options) }
        }
        if let first { headers.remove(name: first) }
        for name in others {
            headers.remove(name: name)
        }
        return options
    }

    /// The header names in a `Connection` value (comma-separated, spaces and tabs around each),
    /// except hop-by-hop names, which the scan finds by themselves when they are present, and
    /// `close`, an option rather than a name (as in nginx and Envoy); and whether it says
    /// `close` or `keep-alive` (any case).
    /// Read as bytes: a keep-alive response's `Connection: keep-alive` walked through the
    /// string's UTF-8 view cost about 1,000 instructions, and makes no string at all here.
    static func appendNamedHeaders(of value: String, to names: inout [String], options: inout ConnectionOptions) {
        let read: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
            Self.appendNamedHeaders(ofBytes: bytes, to: &names, options: &options)
        }
        if read == nil {
            Array(value.utf8).withUnsafeBufferPointer { bytes in Self.appendNamedHeaders(ofBytes: bytes, to: &names, options: &options) }
        }
    }

    private static func appendNamedHeaders(
        ofBytes bytes: UnsafeBufferPointer<UInt8>,
        to names: inout [String],
        options: inout ConnectionOptions
    ) {
        HTTP1Syntax.forEachListItem(in: bytes) { name in
            if HeaderName.equals(name, "close") {
                options.close = true
                return
            }
            if HeaderName.equals(name, "keep-alive") { options.keepAlive = true }
            if !HeaderPresence.flags(forBytes: name).contains(.hopByHop) {
                names.append(String(decoding: name, as: UTF8.self))
            }
        }
    }
}
