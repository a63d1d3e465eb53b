import NIOCore
import NIOSSL
import PorticoProxy
import PorticoRouteTable
import PorticoTestSupport
import Testing

/// gRPC end to end: an NIO HTTP/2 client speaking gRPC framing over TLS h2 to the proxy, which
/// relays to a gRPC echo server over h2c (or h2 over verified TLS). Unary, the three streaming kinds, trailers, an error
/// status, and an open stream that outlives 20 routing table swaps.
@Suite struct GRPCEndToEndTests {
    static let cluster = ClusterID(namespace: "default", service: "grpc", port: "50051")

    static func table(_ stub: GRPCEchoStub?, generation: UInt64 = 1, upstream: UpstreamProtocol = .h2c) -> RouteTable {
        let source = RouteSource(namespace: "default", ingress: "grpc", service: "grpc")
        let route = Route(match: .prefix(""), backend: .cluster(Self.cluster), source: source)
        return RouteTable(
            generation: generation,
            virtualHosts: [VirtualHost(match: .any, routes: [route])],
            clusters: [Self.cluster: Cluster(id: Self.cluster, serviceExists: true, upstream: upstream)],
            endpoints: [Self.cluster: stub.map { [$0.endpoint] } ?? []]
        )
    }

    /// One gRPC call on an HTTP/2 test stream.
    struct Call {
        let stream: HTTP2TestStream
        var reader = GRPCFraming.Reader()
        var headers: [(String, String)]?
        var trailers: [(String, String)]?

        init(_ stream: HTTP2TestStream, method: String, metadata: [(String, String)] = []) async throws {
            self.stream = stream
            try await stream.sendHeaders(
                method: "POST", path: "/echo.Echo/\(method)",
                headers: [("content-type", "application/grpc"), ("te", "trailers")] + metadata
            )
        }

        func send(_ message: String, end: Bool = false) async throws {
            try await self.stream.sendData(GRPCFraming.frame(message), endStream: end)
        }

        func end() async throws {
            try await self.stream.sendData(ByteBuffer(), endStream: true)
        }

        /// The next message, or nil once the trailers (or a trailers-only head) arrived.
        mutating func receive() async throws -> String? {
            while true {
                if let message = self.reader.next() { return message }
                guard let part = try await self.stream.next() else { throw HTTP2TestClient.StreamEnded() }
                switch part {
                case .headers(let fields, let endStream):
                    if self.headers == nil, !endStream {
                        self.headers = fields
                    } else {
                        self.trailers = fields
                        return nil
                    }
                case .data(let buffer, _):
                    self.reader.append(buffer)
                }
            }
        }

        func trailer(_ name: String) -> String? { self.trailers?.first { $0.0 == name }?.1 }
        func header(_ name: String) -> String? { self.headers?.first { $0.0 == name }?.1 }
    }

    func withGRPC<Result>(
        upstreamTLS: Bool = false,
        _ body: (HTTP2IntegrationTests.Harness, GRPCEchoStub, HTTP2TestClient) async throws -> Result
    ) async throws -> Result {
        var upstream = UpstreamProtocol.h2c
        var context: NIOSSLContext?
        if upstreamTLS {
            let authority = try TestCertificateAuthority()
            let leaf = try authority.issue(commonName: "grpc", dnsNames: ["grpc.default.svc"])
            context = try HTTP2UpstreamStub.tlsContext(chainPEM: leaf.chainPEM, keyPEM: leaf.keyPEM)
            upstream = UpstreamProtocol(
                version: .http2,
                tls: UpstreamTLS(serverName: "grpc.default.svc", verification: .certificateAuthority(pem: Array(authority.certificatePEM.utf8)))
            )
        }
        let stub = try await GRPCEchoStub.start(tls: context)
        let harness: HTTP2IntegrationTests.Harness
        do {
            harness = try await HTTP2IntegrationTests.Harness.start(Self.table(stub, upstream: upstream))
        } catch {
            try? await stub.close()
            throw error
        }
        do {
            let result = try await harness.withTLSClient { client in try await body(harness, stub, client) }
            try await harness.server.shutdown()
            try await stub.close()
            return result
        } catch {
            try? await harness.server.shutdown()
            try? await stub.close()
            throw error
        }
    }

    @Test func unaryCallWithTrailers() async throws {
        try await withGRPC { _, _, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Get")
                try await call.send("hello", end: true)
                #expect(try await call.receive() == "hello")
                #expect(try await call.receive() == nil)
                #expect(call.header(":status") == "200")
                #expect(call.header("x-seen-te") == "trailers")
                #expect(call.trailer("grpc-status") == "0")
            }
        }
    }

    @Test func bidirectionalStreamingToATLSUpstream() async throws {
        try await withGRPC(upstreamTLS: true) { _, _, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Update")
                for index in 0..<3 {
                    try await call.send("s\(index)")
                    #expect(try await call.receive() == "s\(index)")
                }
                try await call.end()
                #expect(try await call.receive() == nil)
                #expect(call.trailer("grpc-status") == "0")
            }
        }
    }

    @Test func serverStreaming() async throws {
        try await withGRPC { _, _, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Expand")
                try await call.send("a", end: true)
                var messages: [String] = []
                while let message = try await call.receive() { messages.append(message) }
                #expect(messages == ["a-0", "a-1", "a-2"])
                #expect(call.trailer("grpc-status") == "0")
            }
        }
    }

    @Test func clientStreaming() async throws {
        try await withGRPC { _, _, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Collect")
                for word in ["x", "y"] { try await call.send(word) }
                try await call.send("z", end: true)
                #expect(try await call.receive() == "x y z")
                #expect(try await call.receive() == nil)
                #expect(call.trailer("grpc-status") == "0")
            }
        }
    }

    @Test func bidirectionalStreamingInterleaves() async throws {
        try await withGRPC { _, _, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Update")
                // Each message is sent only after the previous echo came back: both directions
                // stream through the proxy while the call is open.
                for index in 0..<10 {
                    try await call.send("m\(index)")
                    #expect(try await call.receive() == "m\(index)")
                }
                try await call.end()
                #expect(try await call.receive() == nil)
                #expect(call.trailer("grpc-status") == "0")
            }
        }
    }

    @Test func errorStatusPassesThrough() async throws {
        try await withGRPC { _, _, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Get", metadata: [("x-echo-status", "7")])
                try await call.send("denied", end: true)
                #expect(try await call.receive() == "denied")
                #expect(try await call.receive() == nil)
                #expect(call.trailer("grpc-status") == "7")
                #expect(call.trailer("grpc-message") == "requested")
            }
        }
    }

    @Test func openStreamSurvives20TableSwaps() async throws {
        try await withGRPC { harness, stub, client in
            try await client.withStream { stream in
                var call = try await Call(stream, method: "Update")
                try await call.send("before")
                #expect(try await call.receive() == "before")
                for generation in 2...21 {
                    // Every other table drops the endpoints: new calls would get UNAVAILABLE,
                    // the open one keeps its upstream stream.
                    harness.store.publish(Self.table(generation % 2 == 0 ? nil : stub, generation: UInt64(generation)))
                    try await call.send("g\(generation)")
                    #expect(try await call.receive() == "g\(generation)")
                    if generation == 20 {
                        // A new call on the same connection sees the new table.
                        let other = try await client.send(
                            method: "POST", path: "/echo.Echo/Get", headers: [("content-type", "application/grpc")],
                            body: GRPCFraming.frame("new")
                        )
                        #expect(other.header("grpc-status") == "14")
                    }
                }
                try await call.end()
                #expect(try await call.receive() == nil)
                #expect(call.trailer("grpc-status") == "0")
            }
        }
    }
}
