import NIOCore
import NIOEmbedded
import NIOHTTP1

@testable import PorticoProxy

/// What a request decoder handed on, in a form two decoders can be compared in: consecutive
/// body parts joined (where reads split a body is the reads' business), errors by whether
/// one came (and, for Portico's, its status).
enum DecodedEvent: Equatable, CustomStringConvertible {
    case head(method: String, uri: String, version: String, headers: [String])
    case body(String)
    case end(trailers: [String]?)
    case error(status: UInt)

    var description: String {
        switch self {
        case .head(let method, let uri, let version, let headers): "head \(method) \(uri) \(version) \(headers)"
        case .body(let body): "body \(body.debugDescription)"
        case .end(let trailers): "end \(trailers.map { "\($0)" } ?? "-")"
        case .error(let status): "error \(status)"
        }
    }

    static func fields(_ headers: HTTPHeaders) -> [String] {
        headers.map { "\($0.name): \($0.value)" }
    }
}

enum HTTP1RequestDecoding {
    /// Feeds `chunks` (one read each) through `decoder` and returns what came out. Nothing is
    /// fed after an error: both decoders stop there.
    static func events(of chunks: [[UInt8]], through decoder: any ChannelHandler) throws -> [DecodedEvent] {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(decoder)
        var events: [DecodedEvent] = []
        func drain() throws {
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                switch part {
                case .head(let head):
                    events.append(
                        .head(method: head.method.rawValue, uri: head.uri, version: "\(head.version)", headers: DecodedEvent.fields(head.headers))
                    )
                case .body(var buffer):
                    let text = buffer.readString(length: buffer.readableBytes) ?? ""
                    if case .body(let previous)? = events.last {
                        events[events.count - 1] = .body(previous + text)
                    } else {
                        events.append(.body(text))
                    }
                case .end(let trailers):
                    events.append(.end(trailers: trailers.map(DecodedEvent.fields)))
                }
            }
        }
        for chunk in chunks {
            do {
                try channel.writeInbound(ByteBuffer(bytes: chunk))
                try drain()
            } catch {
                try drain()
                events.append(.error(status: (error as? HTTP1ParseError)?.status.code ?? 0))
                break
            }
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return events
    }

    static func portico(_ chunks: [[UInt8]], maxHeadBytes: Int = 8192) throws -> [DecodedEvent] {
        try Self.events(of: chunks, through: HTTP1RequestDecoder(maxHeadBytes: maxHeadBytes))
    }

    static func portico(_ text: String, maxHeadBytes: Int = 8192) throws -> [DecodedEvent] {
        try Self.portico([Array(text.utf8)], maxHeadBytes: maxHeadBytes)
    }

    /// NIO's decoder (llhttp), configured as the edge used it before Portico had its own.
    static func nio(_ chunks: [[UInt8]], maxHeadBytes: Int = 8192) throws -> [DecodedEvent] {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = maxHeadBytes
        limits.maxHeaderFieldSize = maxHeadBytes
        let decoder = HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits)
        return try Self.events(of: chunks, through: ByteToMessageHandler(decoder))
    }

    /// `bytes` cut into reads at the given offsets.
    static func split(_ bytes: [UInt8], at cuts: [Int]) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var start = 0
        for cut in cuts.sorted() where cut > start && cut < bytes.count {
            chunks.append(Array(bytes[start..<cut]))
            start = cut
        }
        chunks.append(Array(bytes[start...]))
        return chunks
    }
}
