import Foundation
import PorticoModel

/// Splits a watch response body into lines and decodes each into a `WatchEvent`, on the
/// driver thread, handing the events to a `WatchEventBuffer`.
///
/// The API server writes one JSON object per line (`\n`-terminated); a chunk from libcurl
/// may end mid-line, so the tail is kept for the next chunk. A line longer than
/// `maximumLineBytes` ends the watch: etcd caps objects at 1.5 MiB, so such a line is not a
/// Kubernetes object.
final class WatchLineDecoder<Object: Decodable & Sendable>: CurlStreamConsumer {
    static var maximumLineBytes: Int { 16 * 1024 * 1024 }

    private let buffer: WatchEventBuffer<Object>
    private let description: String
    private let decoder = JSONDecoder()
    private var partial: [UInt8] = []

    /// `description` names the request in decoding errors (`GET /apis/...?watch=true`).
    init(buffer: WatchEventBuffer<Object>, description: String) {
        self.buffer = buffer
        self.description = description
    }

    func consume(_ bytes: UnsafeRawBufferPointer) -> CurlStreamDisposition {
        var events: [WatchEvent<Object>] = []
        var lineStart = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
            lineStart = index + 1
            let line: [UInt8]
            if partial.isEmpty {
                line = Array(piece)
            } else {
                partial.append(contentsOf: piece)
                line = partial
                partial.removeAll(keepingCapacity: true)
            }
            switch decode(line) {
            case .success(let event?): events.append(event)
            case .success(nil): continue
            case .failure(let error):
                buffer.append(events)
                return .abort(error)
            }
        }
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart...]))
        guard buffer.append(events) else {
            return .abort(KubeAPIError(
                kind: .transport,
                message: "\(description): the consumer fell more than \(WatchEventBuffer<Object>.capacity) events behind; ending the watch so that it resumes from the last event read"
            ))
        }
        if partial.count > Self.maximumLineBytes {
            return .abort(KubeAPIError(kind: .decoding, message: "\(description): a watch event line exceeds \(Self.maximumLineBytes / 1024 / 1024) MiB"))
        }
        return .consumed
    }

    func finish(error: (any Error)?) {
        // A last event without its newline is still an event.
        if error == nil, !partial.isEmpty {
            switch decode(partial) {
            case .success(let event?): buffer.append([event])
            case .success(nil): break
            case .failure(let failure):
                partial.removeAll()
                buffer.finish(error: failure)
                return
            }
            partial.removeAll()
        }
        buffer.finish(error: error)
    }

    private func decode(_ line: [UInt8]) -> Result<WatchEvent<Object>?, KubeAPIError> {
        var line = line[...]
        while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { line = line.dropLast() }
        guard !line.isEmpty else { return .success(nil) }
        do {
            return .success(try decoder.decode(WatchEvent<Object>.self, from: Data(line)))
        } catch {
            let excerpt = String(decoding: line.prefix(200), as: UTF8.self)
            return .failure(KubeAPIError(kind: .decoding, message: "\(description): cannot decode watch event \(excerpt): \(error)"))
        }
    }
}
