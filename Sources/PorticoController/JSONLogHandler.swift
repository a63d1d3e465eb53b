internal import Foundation
public import Logging

/// One JSON object per line (`--log-format json`), for log pipelines that parse structured logs.
///
/// swift-log ships only a text handler and none of the packages available to us formats JSON
/// lines, so this small one is written here. Writes go to standard error under a lock so that
/// lines from different threads never interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard let line = render(event, time: Self.timestamp()) else { return }
        LogOutput.write(line)
    }

    /// The line written for `event`, newline included: one JSON object with `time`, `level`,
    /// `logger`, `message`, then the handler's, the provider's and the event's metadata (later
    /// ones win; the four fixed fields are never overwritten).
    func render(_ event: LogEvent, time: String) -> Data? {
        var fields: [String: Any] = [
            "time": time,
            "level": event.level.rawValue,
            "logger": label,
            "message": event.message.description,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged where fields[key] == nil {
            fields[key] = Self.json(value)
        }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return nil
        }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

/// Serialises writes of whole log lines to standard error.
enum LogOutput {
    private static let lock = NSLock()

    static func write(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(data)
    }
}
