import ArgumentParser
import Logging
import PorticoController

struct LoggingOptions: ParsableArguments {
    @Option(help: "Least severe log level written: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Log line format: text or json.")
    var logFormat = "text"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical, not \"\(logLevel)\".")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format takes text or json, not \"\(logFormat)\".")
        }
    }

    /// Bootstraps swift-log and returns the process's logger.
    func bootstrap() -> Logger {
        (LogFormat(rawValue: logFormat) ?? .text).bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        return Logger(label: "portico")
    }
}
