import ArgumentParser
import Logging
import PorticoController

struct LoggingOptions: ParsableArguments {
    @Option(help: "Least severe log level written: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log line format: text or json.")
    var logFormat: LogFormat = .text

    /// Bootstraps swift-log and returns the process's logger.
    func bootstrap() -> Logger {
        logFormat.bootstrap(level: logLevel)
        return Logger(label: "portico")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
