internal import NIOCore
internal import NIOHTTP1
internal import PorticoRouteTable

/// On the plain-HTTP listener, answers requests for hosts whose virtual host asks for it
/// (`HostSecurity.redirectToHTTPS`) with 308 to the same host, path and query over https,
/// without contacting an upstream; every other request passes through untouched.
///
/// 308 rather than 301 keeps the method and body, as ingress-nginx does. It sits after NIO's
/// pipelining handler, so it sees one request at a time; a redirected request's body is read
/// and dropped. When no host of the table redirects, a request costs one atomic load.
final class HTTPSRedirectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case passing
        /// Answered; dropping the request body until its end.
        case discarding(keepAlive: Bool)
    }

    private let routes: RouteTableStore
    private let redirectPort: Int
    private var state = State.passing

    init(routes: RouteTableStore, redirectPort: Int) {
        self.routes = routes
        self.redirectPort = redirectPort
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = Self.unwrapInboundIn(data)
        switch (self.state, part) {
        case (.passing, .head(let head)):
            if let location = self.location(for: head) {
                self.redirect(head, to: location, context: context)
            } else {
                context.fireChannelRead(data)
            }
        case (.passing, _):
            context.fireChannelRead(data)
        case (.discarding(let keepAlive), .end):
            self.state = .passing
            if !keepAlive { context.close(promise: nil) }
        case (.discarding, _):
            ()
        }
    }

    /// The https URL for a request, or nil when its host does not redirect.
    func location(for head: HTTPRequestHead) -> String? {
        let table = self.routes.current
        guard table.redirectsToHTTPS else { return nil }
        let target = RequestTarget(head.uri)
        let hostValue = target.authority ?? head.headers.first(name: "host").map { Substring($0) } ?? ""
        let host = HostName.normalize(hostValue)
        guard !host.isEmpty, table.virtualHost(for: host)?.security.redirectToHTTPS == true else { return nil }
        let port = self.redirectPort == 443 ? "" : ":\(self.redirectPort)"
        let path = target.path.isEmpty ? "/" : target.path
        return "https://\(host)\(port)\(path)"
    }

    private func redirect(_ request: HTTPRequestHead, to location: String, context: ChannelHandlerContext) {
        // HTTP/1.0 keep-alive needs its own header dance; a redirect is rare enough to close.
        let keepAlive = request.isKeepAlive && request.version.minor >= 1
        let body = context.channel.allocator.buffer(string: "308 Permanent Redirect\n")
        var headers = HTTPHeaders()
        headers.add(name: "location", value: location)
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: .permanentRedirect, headers: headers)
        self.state = .discarding(keepAlive: keepAlive)
        context.triggerUserOutboundEvent(RequestPhase.headReceived, promise: nil)
        context.triggerUserOutboundEvent(RequestPhase.responseCompleted, promise: nil)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}
