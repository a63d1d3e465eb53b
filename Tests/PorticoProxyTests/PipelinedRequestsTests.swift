import NIOCore
import NIOHTTP1
import Testing

@testable import PorticoProxy

/// The queue of pipelined requests: arrival order, and the bounds past which reads stop.
@Suite struct PipelinedRequestsTests {
    private static let head = HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"))

    private static func body(_ count: Int) -> HTTPServerRequestPart {
        .body(ByteBuffer(repeating: UInt8(ascii: "x"), count: count))
    }

    @Test func keepsArrivalOrder() {
        var queue = PipelinedRequests()
        #expect(queue.isEmpty && !queue.continuesARequest)
        queue.append(.part(Self.head))
        queue.append(.part(Self.body(3)))
        queue.append(.part(.end(nil)))
        queue.append(.parserError(.malformed("field name with a byte outside the token set")))
        #expect(!queue.continuesARequest)
        guard case .part(.head)? = queue.popFirst() else {
            Issue.record("out of order")
            return
        }
        #expect(queue.continuesARequest)
        guard case .part(.body(let buffer))? = queue.popFirst(), case .part(.end)? = queue.popFirst() else {
            Issue.record("out of order")
            return
        }
        // The parse error stands for a next request: it does not continue this one.
        #expect(!queue.continuesARequest)
        guard case .parserError(.malformed("field name with a byte outside the token set"))? = queue.popFirst() else {
            Issue.record("out of order")
            return
        }
        #expect(buffer.readableBytes == 3)
        #expect(queue.isEmpty && queue.popFirst() == nil)
    }

    @Test func fullAtTheRequestBoundAndNotBefore() {
        var queue = PipelinedRequests()
        for _ in 1..<PipelinedRequests.maxRequests {
            queue.append(.part(Self.head))
            queue.append(.part(.end(nil)))
        }
        #expect(!queue.isFull)
        queue.append(.part(Self.head))
        #expect(queue.isFull)
        _ = queue.popFirst()
        #expect(!queue.isFull)
    }

    @Test func fullPastTheByteBoundAndFreedAsBodiesLeave() {
        var queue = PipelinedRequests()
        queue.append(.part(Self.head))
        queue.append(.part(Self.body(PipelinedRequests.maxBodyBytes)))
        #expect(!queue.isFull)
        queue.append(.part(Self.body(1)))
        #expect(queue.isFull)
        _ = queue.popFirst()
        _ = queue.popFirst()
        #expect(!queue.isFull)
        queue.removeAll()
        #expect(queue.isEmpty && !queue.isFull)
    }
}
