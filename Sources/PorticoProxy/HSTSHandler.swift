internal import NIOCore
internal import NIOHTTP1
internal import PorticoRouteTable

/// On the TLS listener, adds `Strict-Transport-Security` to responses for hosts whose virtual
/// host asks for it (`HostSecurity.hsts`), unless the upstream already sent one.
///
/// It sits after NIO's pipelining handler, so requests and responses alternate: the flag
/// decided from a request head applies to the next response head.
final class HSTSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: RouteTableStore
    private let headerValue: String
    private var addToNextResponse = false

    init(routes: RouteTableStore, policy: HSTSPolicy) {
        self.routes = routes
        self.headerValue = policy.headerValue
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) {
            let target = RequestTarget(head.uri)
            let host = target.authority ?? head.headers.first(name: "host").map { Substring($0) } ?? ""
            self.addToNextResponse = !host.isEmpty && self.routes.current.virtualHost(for: host)?.security.hsts == true
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard self.addToNextResponse, case .head(var head) = Self.unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        // Informational heads (100 Continue) are not the response.
        guard head.status.code >= 200 else {
            context.write(data, promise: promise)
            return
        }
        self.addToNextResponse = false
        if !head.headers.contains(name: "strict-transport-security") {
            head.headers.add(name: "strict-transport-security", value: self.headerValue)
        }
        context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
    }
}
