import Foundation
import PorticoTestAPIServer
import PorticoTestSupport

/// Runs the `curl` command against a test server the way libcurl will: HTTP/1.1 (or HTTP/2 when
/// `http2` is set) over TLS, verifying the server with a CA file, a bearer token header.
struct Curl {
    struct Result {
        var status: Int
        var headers: String
        var body: String
        var exitCode: Int32
        /// The protocol curl used, as `%{http_version}` prints it: `1.1` or `2`.
        var httpVersion: String

        var json: JSONValue? { try? JSONValue(parsing: body) }

        /// The watch events of a streamed body, one JSON object per line.
        var lines: [JSONValue] {
            body.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
        }

        func header(_ name: String) -> String? {
            for line in headers.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    let server: TestAPIServer
    var token: String?
    var caPEM: String
    var clientCertificate: TestCertificateAuthority.ClientCertificate?
    /// Ask for HTTP/2 through ALPN (`--http2`) instead of forcing HTTP/1.1.
    var http2 = false
    /// More curl arguments, placed before the URL.
    var extraArguments: [String] = []

    init(_ server: TestAPIServer, token: String? = "t") {
        self.server = server
        self.token = token
        self.caPEM = server.caPEM
    }

    func get(_ path: String) async throws -> Result {
        try await run("GET", path)
    }

    func send(_ method: String, _ path: String, json: JSONValue, contentType: String = "application/json") async throws -> Result {
        try await run(method, path, body: json.serializedString, contentType: contentType)
    }

    /// Runs one request; curl gives up after `maxTime` seconds so a test can never hang.
    func run(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json", maxTime: Int = 20) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("testapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ca = folder.appendingPathComponent("ca.pem")
        try Data(caPEM.utf8).write(to: ca)
        let output = folder.appendingPathComponent("body")
        let headers = folder.appendingPathComponent("headers")
        let status = folder.appendingPathComponent("status")
        var arguments = [
            "-sS", http2 ? "--http2" : "--http1.1", "-N", "--max-time", String(maxTime), "--cacert", ca.path,
            "-X", method, "-o", output.path, "-D", headers.path, "-w", "%{http_code} %{http_version}",
        ]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let body {
            let file = folder.appendingPathComponent("request")
            try Data(body.utf8).write(to: file)
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@\(file.path)"]
        }
        if let clientCertificate {
            let certificate = folder.appendingPathComponent("client.pem")
            let key = folder.appendingPathComponent("client-key.pem")
            try Data(clientCertificate.certificatePEM.utf8).write(to: certificate)
            try Data(clientCertificate.keyPEM.utf8).write(to: key)
            arguments += ["--cert", certificate.path, "--key", key.path]
        }
        arguments += extraArguments
        arguments.append(server.url + path)
        let exitCode = try await Self.curl(arguments, stdout: status)
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        let written = read(status).split(separator: " ")
        return Result(
            status: written.first.flatMap { Int($0) } ?? 0,
            headers: read(headers),
            body: read(output),
            exitCode: exitCode,
            httpVersion: written.count > 1 ? String(written[1]) : ""
        )
    }

    private static func curl(_ arguments: [String], stdout: URL) async throws -> Int32 {
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        let handle = try FileHandle(forWritingTo: stdout)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl"] + arguments
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
