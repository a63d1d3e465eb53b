// nio-h2-floor LISTEN-PORT CERTIFICATE-PEM KEY-PEM
//
// HTTP/2 over TLS 1.3 (ALPN h2) on 127.0.0.1:LISTEN-PORT with one event loop: NIOSSL, then
// NIOHTTP2Handler with its inline stream multiplexer (as Portico's HTTP/2 edge uses them), and
// a stream handler that answers every request itself. Nothing is proxied, so the CPU this costs
// a request is less than any HTTP/2 proxy built on these libraries can spend.
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String, status: Int32) -> Never {
    var line = "nio-h2-floor: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 3, let listenPort = Int(arguments[0]) else {
    fail("usage: nio-h2-floor LISTEN-PORT CERTIFICATE-PEM KEY-PEM", status: 2)
}

do {
    let chain = try NIOSSLCertificate.fromPEMFile(arguments[1]).map { NIOSSLCertificateSource.certificate($0) }
    let key = try NIOSSLPrivateKey(file: arguments[2], format: .pem)
    var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    tls.minimumTLSVersion = .tlsv13
    tls.applicationProtocols = ["h2"]
    let sslContext = try NIOSSLContext(configuration: tls)

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let server = try ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 4096)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                let http2 = NIOHTTP2Handler(
                    mode: .server,
                    eventLoop: channel.eventLoop,
                    connectionConfiguration: .init(),
                    streamConfiguration: .init(),
                    inboundStreamInitializer: { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandler(FixedAnswerHandler())
                        }
                    }
                )
                try channel.pipeline.syncOperations.addHandler(http2)
            }
        }
        .bind(host: "127.0.0.1", port: listenPort)
        .wait()
    try server.closeFuture.wait()
} catch {
    fail("\(error)", status: 1)
}
