public import Logging
internal import Synchronization

/// Keeps every log record a logger made, for tests that check what was logged and how often.
///
/// Its handler records at `level` and above whatever level a caller later sets on the logger:
/// test harnesses quiet the loggers they are given, and that must not hide what a test checks.
public final class LogRecorder: Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata
    }

    private let storage = Mutex<[Record]>([])
    private let level: Logger.Level

    public init(level: Logger.Level = .trace) {
        self.level = level
    }

    /// A logger whose records this recorder keeps.
    public func logger(label: String = "portico.test") -> Logger {
        Logger(label: label) { _ in Handler(recorder: self) }
    }

    public var records: [Record] { storage.withLock { $0 } }

    /// Every record as `level message`.
    public var lines: [String] { records.map { "\($0.level) \($0.message)" } }

    /// The messages of records at `level` or above.
    public func messages(atLeast level: Logger.Level = .trace) -> [String] {
        records.filter { $0.level >= level }.map(\.message)
    }

    /// How many messages contain `text`.
    public func count(containing text: String) -> Int {
        records.filter { $0.message.contains(text) }.count
    }

    fileprivate func append(_ event: LogEvent) {
        guard event.level >= self.level else { return }
        let record = Record(level: event.level, message: event.message.description, metadata: event.metadata ?? [:])
        storage.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]

        var logLevel: Logger.Level {
            get { recorder.level }
            // Ignored: see the type's comment.
            set {}
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.append(event)
        }
    }
}
