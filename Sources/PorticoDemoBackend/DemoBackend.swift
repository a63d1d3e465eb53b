import NIOCore
import NIOHTTP1
import NIOPosix

/// A tiny HTTP/1.1 server for the quickstart: it answers every request with its own name and
/// what it received (method, path, Host and the X-Forwarded headers), so a person running
/// `curl` through Portico sees at once which backend a rule chose and what the proxy added.
///
/// Usage: `portico-demo-backend --name NAME --port PORT [--host 127.0.0.1]`
@main
struct DemoBackend {
    static func main() async throws {
        var name = "demo"
        var host = "127.0.0.1"
        var port = 9000
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--name": name = arguments.next() ?? name
            case "--host": host = arguments.next() ?? host
            case "--port":
                guard let text = arguments.next(), let value = Int(text), (0...65535).contains(value) else {
                    print("portico-demo-backend: --port takes a number from 0 to 65535")
                    exit(code: 64)
                }
                port = value
            case "--help", "-h":
                print("usage: portico-demo-backend --name NAME --port PORT [--host ADDRESS]")
                return
            default:
                print("portico-demo-backend: unknown argument \(argument)")
                exit(code: 64)
            }
        }
        let backendName = name
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(name: backendName))
                }
            }
            .bind(host: host, port: port)
            .get()
        print("portico-demo-backend \(name) listening on \(channel.localAddress.map { "\($0)" } ?? "\(host):\(port)")")
        try await channel.closeFuture.get()
    }

    private static func exit(code: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(code)
        #else
        Darwin.exit(code)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Answers each request with a plain-text description of it. The body is drained, not echoed.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let name: String
    private var head: HTTPRequestHead?
    private var bodyBytes = 0

    init(name: String) {
        self.name = name
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
        case .end:
            guard let head else { return }
            self.head = nil
            var lines = [
                "backend: \(name)",
                "method: \(head.method)",
                "path: \(head.uri)",
                "host: \(head.headers.first(name: "host") ?? "")",
            ]
            for header in ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip"] {
                if let value = head.headers.first(name: header) { lines.append("\(header): \(value)") }
            }
            if bodyBytes > 0 { lines.append("request-body-bytes: \(bodyBytes)") }
            let body = context.channel.allocator.buffer(string: lines.joined(separator: "\n") + "\n")
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "text/plain; charset=utf-8")
            headers.add(name: "content-length", value: String(body.readableBytes))
            headers.add(name: "x-backend", value: name)
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            let keepAlive = head.isKeepAlive
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
