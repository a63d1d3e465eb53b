import NIOCore
import NIOEmbedded
import Testing

@testable import PorticoProxy

@Suite("ConnectionLimitHandler on an EmbeddedChannel")
struct ConnectionLimitHandlerTests {
    @Test func connectionsOverTheLimitAreClosedAndSlotsAreReturned() throws {
        let server = EmbeddedChannel()
        let counter = ConnectionCounter(limit: 2)
        try server.pipeline.syncOperations.addHandler(ConnectionLimitHandler(counter: counter))

        let children = (0..<3).map { _ in EmbeddedChannel(loop: server.embeddedEventLoop) }
        for child in children {
            try child.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            try server.writeInbound(child as any Channel)
        }
        #expect(children[0].isActive)
        #expect(children[1].isActive)
        #expect(!children[2].isActive)
        #expect(counter.count == 2)
        #expect(try server.readInbound(as: (any Channel).self) != nil)
        #expect(try server.readInbound(as: (any Channel).self) != nil)
        #expect(try server.readInbound(as: (any Channel).self) == nil)

        _ = try children[0].finish()
        #expect(counter.count == 1)
        let drained = counter.drain(on: server.embeddedEventLoop)
        _ = try children[1].finish()
        #expect(counter.count == 0)
        try drained.wait()
        _ = try server.finish()
    }
}
