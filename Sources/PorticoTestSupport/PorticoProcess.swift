public import Foundation

/// The `portico` executable, run as a child process with its output in a log file.
public final class PorticoProcess {
    /// `swift build --build-tests` builds the executable next to the test bundle.
    public static let binary = URL(fileURLWithPath: CommandLine.arguments[0])
        .deletingLastPathComponent()
        .appendingPathComponent("portico")

    public let process = Process()
    public let log: URL

    /// Runs `binary arguments`, or `launcher binary arguments` when a launcher is given (a
    /// command that runs another, `setpriv` with its options say).
    public init(_ arguments: [String], binary: URL = PorticoProcess.binary, launcher: [String] = []) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        if let command = launcher.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = Array(launcher.dropFirst()) + [binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: log)
    }

    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Polls the log every 20 ms until it contains `text`, for at most `timeout`.
    public func waitForOutput(_ text: String, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits at most `timeout` for the process to exit; returns its status, nil if it still runs.
    public func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs `portico arguments` to completion (at most `timeout`) and returns status and output.
    public static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> (status: Int32?, output: String) {
        let process = try PorticoProcess(arguments)
        let status = try await process.waitForExit(timeout: timeout)
        return (status, process.output)
    }

    /// The port a listener bound, from its start-up log line (the listeners use port 0):
    /// `port=N` on the proxy's lines, `address=HOST:N` on the admin listener's.
    public func boundPort(after marker: String) -> Int? {
        let pattern = /(?:port=|address=\S+:)(\d+)/
        for line in output.split(separator: "\n") where line.contains(marker) {
            if let match = line.firstMatch(of: pattern) { return Int(match.1) }
        }
        return nil
    }
}
