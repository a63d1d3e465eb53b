// nio-relay-floor LISTEN-PORT BACKEND-PORT...
//
// Accepts on 127.0.0.1:LISTEN-PORT, connects each accepted connection to the next backend on
// 127.0.0.1 (round robin), and relays bytes both ways with one event loop, as Portico with
// --workers 1 runs. No HTTP is parsed: the CPU this costs a request is NIO's share of any
// HTTP/1.1 proxy built on it (two reads and two writes on two channels).
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String, status: Int32) -> Never {
    var line = "nio-relay-floor: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
guard arguments.count >= 2, let listenPort = arguments.first ?? nil else {
    fail("usage: nio-relay-floor LISTEN-PORT BACKEND-PORT...", status: 2)
}
let backendPorts = arguments.dropFirst().compactMap { $0 }
guard backendPorts.count == arguments.count - 1 else { fail("ports are whole numbers", status: 2) }

let nextBackend = Atomic<Int>(0)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { downstream in
        let turn = nextBackend.wrappingAdd(1, ordering: .relaxed).oldValue
        let port = backendPorts[turn % backendPorts.count]
        let loop = downstream.eventLoop
        return loop.makeCompletedFuture {
            let relay = RelayHandler()
            try downstream.pipeline.syncOperations.addHandler(relay)
            return NIOLoopBound(relay, eventLoop: loop)
        }.flatMap { downstreamRelay in
            // Registration of the accepted channel waits for this future, so nothing is read
            // from the client before its upstream is connected.
            ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture {
                        let relay = RelayHandler()
                        relay.partner = downstreamRelay.value
                        downstreamRelay.value.partner = relay
                        try upstream.pipeline.syncOperations.addHandler(relay)
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .map { _ in }
        }
    }

do {
    let server = try bootstrap.bind(host: "127.0.0.1", port: listenPort).wait()
    try server.closeFuture.wait()
} catch {
    fail("\(error)", status: 1)
}
