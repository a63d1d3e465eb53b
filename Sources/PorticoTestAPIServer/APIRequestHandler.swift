internal import NIOCore
internal import NIOHTTP1
internal import NIOSSL
internal import PorticoTestSupport
internal import Synchronization

/// Turns one connection's HTTP/1.1 requests, or one HTTP/2 stream's request, into
/// `ServerState.handle` calls and writes the answers: a JSON body with `Content-Length`, or a
/// watch stream with one event per line, flushed per event (chunks on HTTP/1.1, DATA frames on
/// HTTP/2, where `HTTP2FramePayloadToHTTP1ServerCodec` translates the same parts).
///
/// Ending a watch uncleanly closes this handler's channel: on HTTP/1.1 that cuts the TCP
/// connection mid-body; on HTTP/2 it resets only the watch's stream (`RST_STREAM`), as Go's
/// HTTP/2 server does when kube-apiserver aborts a handler, and the shared connection lives on.
///
/// Live watch events arrive through the subscription's sink as tasks on this channel's event
/// loop; a stream number ties them to the watch they were meant for, so a late event for an
/// ended watch is dropped instead of being written into the next response.
final class APIRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Request bodies above this are answered 413; objects in tests are far smaller.
    static let maximumBodySize = 8 << 20

    private struct ActiveWatch {
        var stream: Int
        var subscription: Int?
        var timeout: Scheduled<Void>?
        var keepAlive: Bool
    }

    private let core: ServerCore
    /// The TCP connection's number, recorded on every request.
    private let connection: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var watch: ActiveWatch?
    private var streamCount = 0

    init(core: ServerCore, connection: Int) {
        self.core = core
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodyTooLarge = false
            // libcurl asks before sending a body over 1 KiB and waits a second for an answer; Go's
            // server (so kube-apiserver) says go ahead at once.
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.maximumBodySize {
                bodyTooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let path = APIRequest.split(uri: head.uri).path
            guard let delay = core.state.withLock({ $0.takeDelay(method: head.method.rawValue, path: path) }) else {
                respond(to: head, context: context)
                return
            }
            // The pipeline handler holds back the connection's next request until this one is
            // answered, so the buffered body stays this request's.
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: TimeAmount(delay)) {
                // A client that gave up meanwhile must not leave a watch registered behind it.
                guard boundContext.value.channel.isActive else { return }
                handler.value.respond(to: head, context: boundContext.value)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let watch {
            watch.timeout?.cancel()
            if let id = watch.subscription { core.removeWatch(id) }
            self.watch = nil
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if bodyTooLarge {
            let status = APIStatus.requestEntityTooLarge
            writeResponse(status: status.code, body: status.json, retryAfterSeconds: nil, head: head, context: context)
            return
        }
        let (path, query) = APIRequest.split(uri: head.uri)
        let request = APIRequest(
            method: head.method.rawValue,
            path: path,
            query: query,
            headers: head.headers.reduce(into: [:]) { headers, header in
                let name = header.name.lowercased()
                if headers[name] == nil { headers[name] = header.value }
            },
            body: body,
            clientUser: core.readsClientCertificates ? clientUser(context: context, http2: head.version.major >= 2) : nil,
            httpVersion: head.version.major >= 2 ? "HTTP/\(head.version.major)" : "HTTP/\(head.version.major).\(head.version.minor)",
            connection: connection
        )
        streamCount += 1
        let stream = streamCount
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: eventLoop)
        let sink: @Sendable (WatchMessage) -> Void = { message in
            eventLoop.execute { handler.value.deliver(message, stream: stream, context: boundContext.value) }
        }
        switch core.handle(request, sink: sink) {
        case .object(let status, let body, let retryAfterSeconds):
            writeResponse(status: status, body: body, retryAfterSeconds: retryAfterSeconds, head: head, context: context)
        case .text(let status, let text):
            writeResponse(status: status, contentType: "text/plain; charset=utf-8", bytes: Array(text.utf8), retryAfterSeconds: nil, head: head, context: context)
        case .watch(let opening):
            startWatch(opening, stream: stream, head: head, context: context)
        }
    }

    private func startWatch(_ opening: WatchOpening, stream: Int, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([
            ("content-type", "application/json"),
            ("transfer-encoding", "chunked"),
            ("cache-control", "no-cache, private"),
        ])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        watch = ActiveWatch(stream: stream, subscription: opening.id, timeout: nil, keepAlive: Self.keepsAlive(head))
        for message in opening.messages {
            deliver(message, stream: stream, context: context)
        }
        context.flush()
        guard watch?.stream == stream else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        watch?.timeout = context.eventLoop.scheduleTask(in: TimeAmount(opening.timeout)) {
            handler.value.deliver(.end(clean: true), stream: stream, context: boundContext.value)
        }
    }

    /// Writes one message to the watch `stream` if it is still the open one.
    private func deliver(_ message: WatchMessage, stream: Int, context: ChannelHandlerContext) {
        guard let watch, watch.stream == stream else { return }
        switch message {
        case .event:
            guard let line = message.line else { return }
            var buffer = context.channel.allocator.buffer(capacity: 256)
            buffer.writeBytes(line.serialized())
            buffer.writeInteger(UInt8(ascii: "\n"))
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let clean):
            watch.timeout?.cancel()
            if let id = watch.subscription { core.removeWatch(id) }
            self.watch = nil
            if clean {
                let keepAlive = watch.keepAlive
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
            } else {
                context.close(promise: nil)
            }
        }
    }

    private func writeResponse(status: Int, body: JSONValue, retryAfterSeconds: Int?, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var bytes = Array(body.serialized())
        bytes.append(UInt8(ascii: "\n"))
        writeResponse(status: status, contentType: "application/json", bytes: bytes, retryAfterSeconds: retryAfterSeconds, head: head, context: context)
    }

    private func writeResponse(
        status: Int,
        contentType: String,
        bytes: [UInt8],
        retryAfterSeconds: Int?,
        head: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders([("content-type", contentType), ("content-length", String(bytes.count))])
        if let retryAfterSeconds { headers.add(name: "retry-after", value: String(retryAfterSeconds)) }
        let keepAlive = Self.keepsAlive(head)
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }

    /// Whether the connection stays open after the answer. An HTTP/2 stream always ends with its
    /// answer and the connection stays; NIO's `isKeepAlive` only knows HTTP/1 rules, under which
    /// version 2.0 without a `Connection` header would mean close.
    private static func keepsAlive(_ head: HTTPRequestHead) -> Bool {
        head.version.major >= 2 || head.isKeepAlive
    }

    /// The common name of the client certificate, which the TLS handshake already verified
    /// against the client CA. On HTTP/2 the TLS handler sits in the connection's pipeline, the
    /// parent of this stream's channel (same event loop, so its sync operations are safe); on
    /// HTTP/1.1 it is in this channel's own (whose parent is the listening socket).
    private func clientUser(context: ChannelHandlerContext, http2: Bool) -> String? {
        let channel = http2 ? (context.channel.parent ?? context.channel) : context.channel
        let pipeline = channel.pipeline
        guard let certificate = try? pipeline.syncOperations.nioSSL_peerCertificate(),
            let der = try? certificate.toDERBytes()
        else { return nil }
        return TestCertificateAuthority.commonName(ofDER: der)
    }
}
