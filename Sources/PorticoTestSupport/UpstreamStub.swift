public import NIOCore
internal import NIOHTTP1
public import NIOSSL
public import PorticoRouteTable
internal import Synchronization

/// A loopback HTTP/1.1 server standing in for an upstream Service in proxy tests.
///
/// It listens on 127.0.0.1 with an ephemeral port. Every response carries `x-stub-name` and
/// `x-seen-<header>` for each request header it received (plus `x-seen-method`,
/// `x-seen-path`), so a test can assert what the proxy forwarded.
public final class UpstreamStub: Sendable {
    /// How the stub answers a request.
    public indirect enum Behavior: Sendable {
        /// 200 with the request body streamed back as it arrives (chunked); the request's
        /// trailers, if any, come back as the response's trailers.
        case echo
        /// A fixed status, extra headers and body.
        case fixed(status: Int, headers: [(String, String)] = [], body: String = "")
        /// Waits, then behaves as the inner behaviour.
        case delay(TimeAmount, then: Behavior)
        /// Closes the connection as soon as a request head arrives, answering nothing.
        case closeWithoutAnswer
        /// Reads the request and never answers.
        case neverAnswer
        /// 200 with a body of `bytes` generated on the fly (never held whole), as fast as the
        /// reader takes it.
        case stream(bytes: Int)
        /// Reads the whole body without keeping it and answers 200 with `x-received-bytes`.
        case sink
        /// Answers `status` with `body` in full as soon as the request head arrives, before any
        /// of the request body (as an early rejection, or nginx's `return`, does); the body is
        /// then read and dropped.
        case answerAtHead(status: Int, body: String)
        /// 200 announcing `announced` bytes, sends `sent` of them, then closes the connection.
        case truncated(announced: Int, sent: Int)
        /// Answers the first request of each connection as `first`; closes without answering
        /// on any later request of the same connection (the stale keep-alive race).
        case closeReusedConnections(first: Behavior)
    }

    public let name: String
    private let listener: LoopbackListener
    private let counters: Counters

    public var port: Int { self.listener.port }
    /// Where the proxy should send traffic for this stub.
    public var endpoint: Endpoint { self.listener.endpoint }

    /// Connections accepted so far.
    public var acceptedConnections: Int { self.counters.connections.withLock { $0 } }
    /// Accepted connections that have closed since (by either side).
    public var closedConnections: Int { self.counters.closed.withLock { $0 } }
    /// Requests whose head arrived so far.
    public var receivedRequests: Int { self.counters.requests.withLock { $0 } }

    private init(name: String, listener: LoopbackListener, counters: Counters) {
        self.name = name
        self.listener = listener
        self.counters = counters
    }

    /// Starts a stub on 127.0.0.1 with an ephemeral port; with `tls`, it speaks HTTPS.
    public static func start(
        name: String,
        behavior: Behavior = .echo,
        tls: NIOSSLContext? = nil,
        group: (any EventLoopGroup)? = nil
    ) async throws -> UpstreamStub {
        let counters = Counters()
        let listener = try await LoopbackListener.bind(group: group, tls: tls) { channel in
            counters.connections.withLock { $0 += 1 }
            channel.closeFuture.whenComplete { _ in counters.closed.withLock { $0 += 1 } }
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(
                StubHandler(name: name, behavior: behavior, counters: counters)
            )
        }
        return UpstreamStub(name: name, listener: listener, counters: counters)
    }

    /// Stops listening. Open connections are closed with the event loop group or by peers.
    public func close() async throws {
        try await self.listener.close()
    }

    final class Counters: Sendable {
        let connections = Mutex(0)
        let closed = Mutex(0)
        let requests = Mutex(0)
    }
}

/// Serves one stub connection.
private final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let name: String
    private let behavior: UpstreamStub.Behavior
    private let counters: UpstreamStub.Counters
    private var requestsOnConnection = 0
    private var current: UpstreamStub.Behavior = .echo
    private var head: HTTPRequestHead?
    private var receivedBytes = 0
    private var streamRemaining = 0
    private var streaming = false
    private var keepAlive = true
    private var requestTrailers: HTTPHeaders?

    init(name: String, behavior: UpstreamStub.Behavior, counters: UpstreamStub.Counters) {
        self.name = name
        self.behavior = behavior
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.counters.requests.withLock { $0 += 1 }
            self.requestsOnConnection += 1
            self.head = head
            self.receivedBytes = 0
            self.requestTrailers = nil
            self.keepAlive = head.isKeepAlive
            self.current = self.resolve(self.behavior)
            switch self.current {
            case .closeWithoutAnswer:
                context.close(promise: nil)
            case .echo:
                var response = self.responseHead(status: .ok)
                response.headers.add(name: "transfer-encoding", value: "chunked")
                context.writeAndFlush(self.wrapOutboundOut(.head(response)), promise: nil)
            case .answerAtHead(let status, let body):
                self.respondAtEnd(context: context, with: .fixed(status: status, body: body))
            default:
                ()
            }
        case .body(let buffer):
            self.receivedBytes += buffer.readableBytes
            if case .echo = self.current {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
        case .end(let trailers):
            self.requestTrailers = trailers
            if case .answerAtHead = self.current { return }
            self.respondAtEnd(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, self.streaming { self.pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func resolve(_ behavior: UpstreamStub.Behavior) -> UpstreamStub.Behavior {
        if case .closeReusedConnections(let first) = behavior {
            return self.requestsOnConnection == 1 ? self.resolve(first) : .closeWithoutAnswer
        }
        return behavior
    }

    /// Answers as `behavior` says (by default, this request's) now that the request is in.
    private func respondAtEnd(context: ChannelHandlerContext, with behavior: UpstreamStub.Behavior? = nil) {
        switch behavior ?? self.current {
        case .echo:
            self.finish(trailers: self.requestTrailers, context: context)
        case .fixed(let status, let headers, let body):
            var response = self.responseHead(status: HTTPResponseStatus(statusCode: status))
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            let isHead = self.head?.method == .HEAD
            if !response.headers.contains(name: "content-length"), response.status.mayHaveResponseBody {
                response.headers.add(name: "content-length", value: String(body.utf8.count))
            }
            context.write(self.wrapOutboundOut(.head(response)), promise: nil)
            if !body.isEmpty, !isHead, response.status.mayHaveResponseBody {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            }
            self.finish(context: context)
        case .delay(let amount, let then):
            self.current = then
            let loopBound = context.loopBound
            context.eventLoop.assumeIsolated().scheduleTask(in: amount) { [weak self] in
                guard let self else { return }
                let context = loopBound.value
                if case .echo = then {
                    var response = self.responseHead(status: .ok)
                    response.headers.add(name: "content-length", value: "0")
                    context.write(self.wrapOutboundOut(.head(response)), promise: nil)
                    self.finish(context: context)
                } else {
                    self.respondAtEnd(context: context)
                }
            }
        case .closeWithoutAnswer:
            context.close(promise: nil)
        case .neverAnswer, .closeReusedConnections:
            ()
        case .stream(let bytes):
            var response = self.responseHead(status: .ok)
            response.headers.add(name: "content-length", value: String(bytes))
            context.write(self.wrapOutboundOut(.head(response)), promise: nil)
            self.streamRemaining = bytes
            self.streaming = true
            self.pump(context: context)
        case .truncated(let announced, let sent):
            var response = self.responseHead(status: .ok)
            response.headers.add(name: "content-length", value: String(announced))
            context.write(self.wrapOutboundOut(.head(response)), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: sent)
            buffer.writeRepeatingByte(UInt8(ascii: "t"), count: sent)
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(buffer)))).whenComplete { _ in
                channel.close(promise: nil)
            }
        case .answerAtHead(let status, let body):
            self.respondAtEnd(context: context, with: .fixed(status: status, body: body))
        case .sink:
            var response = self.responseHead(status: .ok)
            response.headers.add(name: "x-received-bytes", value: String(self.receivedBytes))
            response.headers.add(name: "content-length", value: "0")
            context.write(self.wrapOutboundOut(.head(response)), promise: nil)
            self.finish(context: context)
        }
    }

    /// Writes generated chunks while the channel is writable; resumes on writability.
    private func pump(context: ChannelHandlerContext) {
        let chunkSize = 64 * 1024
        while self.streamRemaining > 0, context.channel.isWritable {
            let size = min(chunkSize, self.streamRemaining)
            var buffer = context.channel.allocator.buffer(capacity: size)
            buffer.writeRepeatingByte(UInt8(ascii: "x"), count: size)
            self.streamRemaining -= size
            context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.flush()
        // The flush can report writability and re-enter this method, which may then finish the
        // response itself; ending it twice would violate HTTP framing.
        if self.streamRemaining == 0, self.streaming {
            self.streaming = false
            self.finish(context: context)
        }
    }

    private func finish(trailers: HTTPHeaders? = nil, context: ChannelHandlerContext) {
        if self.keepAlive {
            context.writeAndFlush(self.wrapOutboundOut(.end(trailers)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.end(trailers))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func responseHead(status: HTTPResponseStatus) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "x-stub-name", value: self.name)
        if let head = self.head {
            headers.add(name: "x-seen-method", value: head.method.rawValue)
            headers.add(name: "x-seen-path", value: head.uri)
            for name in Set(head.headers.map { $0.name.lowercased() }) {
                headers.add(name: "x-seen-\(name)", value: head.headers[name].joined(separator: ", "))
            }
        }
        return HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }
}
