public import Logging

/// `--log-format`: how log lines are written to standard error.
public enum LogFormat: String, CaseIterable, Sendable {
    /// `2024-01-02T03:04:05+0000 info portico : key=value message`, swift-log's text format.
    case text
    /// One JSON object per line.
    case json

    /// Bootstraps swift-log once for the process. Only the executable calls this.
    public func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch self {
            case .text: handler = StreamLogHandler.standardError(label: label)
            case .json: handler = JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
