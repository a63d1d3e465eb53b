public import Foundation
public import Logging
public import PorticoModel

/// The Kubernetes API client: `KubernetesAPI` over libcurl.
///
/// One client holds one `CurlTransport` (one thread, one connection pool), so all its
/// requests and watches share a connection when the server speaks HTTP/2. Create one per
/// process and call `shutdown()` when done; dropping the client also shuts it down.
///
/// The bearer token of a `tokenFile` is re-read when the file changes (a `stat` per
/// request). Failures are `KubeAPIError`s; each class of failure is logged once until it
/// recovers (see `FailureLog`), so callers need not log them again at error level.
public final class CurlKubernetesClient: KubernetesAPI {
    private let server: String
    private let settings: CurlTransportSettings
    private let bearer: Bearer?
    private let transport: CurlTransport
    private let failures: FailureLog

    private enum Bearer: Sendable {
        case literal(String)
        case file(BearerTokenFile)
    }

    /// Throws a `configuration` error when the server URL is not http(s) or libcurl cannot
    /// start. Logs a warning when TLS verification is off.
    public init(configuration: KubeClientConfiguration, logger: Logger) throws {
        let server = configuration.server.hasSuffix("/") ? String(configuration.server.dropLast()) : configuration.server
        guard server.hasPrefix("https://") || server.hasPrefix("http://"), server.count > "https://".count else {
            throw KubeAPIError(kind: .configuration, message: "the API server URL \"\(configuration.server)\" is not an http(s) URL")
        }
        if configuration.insecureSkipTLSVerify {
            logger.warning(
                "TLS VERIFICATION OF THE API SERVER IS OFF (insecure-skip-tls-verify): anyone on the network path can impersonate \(server) and read the credentials Portico sends; set certificate-authority instead"
            )
        }
        if server.hasPrefix("http://"), configuration.bearerToken != nil {
            logger.warning("the API server URL \(server) is plain http: the bearer token is sent unencrypted")
        }
        self.server = server
        self.settings = CurlTransportSettings(configuration)
        switch configuration.bearerToken {
        case .literal(let token)?: bearer = .literal(token)
        case .file(let path)?: bearer = .file(BearerTokenFile(path: path))
        case nil: bearer = nil
        }
        self.transport = try CurlTransport()
        self.failures = FailureLog(logger: logger)
        logger.debug("Kubernetes API client for \(server)", metadata: [
            "ca": "\(configuration.certificateAuthoritySource)",
            "credentials": "\(configuration.credentialDescription)",
            "http2": "\(CurlTransport.supportsHTTP2)",
        ])
    }

    deinit {
        transport.shutdown()
    }

    /// Fails every request and watch in flight and stops the transport thread. Idempotent;
    /// later calls fail with a `transport` error.
    public func shutdown() {
        transport.shutdown()
    }

    // MARK: KubernetesAPI

    public func list<Item: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        options: ListOptions,
        as itemType: Item.Type
    ) async throws -> ObjectList<Item> {
        var query: [(String, String)] = []
        if let value = options.labelSelector { query.append(("labelSelector", value)) }
        if let value = options.fieldSelector { query.append(("fieldSelector", value)) }
        if let value = options.limit { query.append(("limit", String(value))) }
        if let value = options.continueToken { query.append(("continue", value)) }
        if let value = options.resourceVersion { query.append(("resourceVersion", value)) }
        let access = CurlRequest.Access(verb: "list", resource: resource, namespace: namespace, subresource: nil)
        return try await call(.get, access, path: resource.path(namespace: namespace), query: query, as: ObjectList<Item>.self)
    }

    /// The request ends when the server ends it, when the iterating task is cancelled, or
    /// when the stream is released (the consumer broke out of its loop and no copy of the
    /// stream remains): `AsyncThrowingStream` offers no hook for "stopped iterating" while
    /// the stream value is still held. Events are decoded on the transport thread into a
    /// bounded buffer (see `WatchEventBuffer`).
    public func watch<Object: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        options: WatchOptions,
        as objectType: Object.Type
    ) -> AsyncThrowingStream<WatchEvent<Object>, any Error> {
        var query: [(String, String)] = [("watch", "true")]
        if let value = options.labelSelector { query.append(("labelSelector", value)) }
        if let value = options.fieldSelector { query.append(("fieldSelector", value)) }
        if let value = options.resourceVersion { query.append(("resourceVersion", value)) }
        if let value = options.timeoutSeconds { query.append(("timeoutSeconds", String(value))) }
        if options.allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        let access = CurlRequest.Access(verb: "watch", resource: resource, namespace: namespace, subresource: nil)
        let failures = self.failures

        let transport = self.transport
        let id = transport.reserveID()
        let buffer = WatchEventBuffer<Object>(onCancel: { transport.cancel(id) })
        do {
            var request = try makeRequest(.get, access, path: resource.path(namespace: namespace), query: query, body: nil, contentType: nil)
            request.isWatch = true
            request.watchTimeoutSeconds = options.timeoutSeconds
            let decoder = WatchLineDecoder(buffer: buffer, description: "\(request.method.rawValue) \(request.target)")
            transport.submit(try CurlTransfer(id: id, request: request, settings: settings, completion: .streaming(decoder)))
        } catch {
            transport.release(id)
            buffer.finish(error: error)
        }
        let lifetime = WatchStreamLifetime(buffer: buffer)
        return AsyncThrowingStream {
            do {
                let event = try await lifetime.buffer.next()
                failures.recordSuccess(access: access)
                return event
            } catch {
                failures.record(error, access: access)
                throw error
            }
        }
    }

    public func get<Object: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        name: String,
        as objectType: Object.Type
    ) async throws -> Object {
        let access = CurlRequest.Access(verb: "get", resource: resource, namespace: namespace, subresource: nil)
        return try await call(.get, access, path: resource.path(namespace: namespace, name: name), as: Object.self)
    }

    public func create<Object: Codable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        _ object: Object
    ) async throws -> Object {
        let access = CurlRequest.Access(verb: "create", resource: resource, namespace: namespace, subresource: nil)
        let body = try encode(object, access: access)
        return try await call(.post, access, path: resource.path(namespace: namespace), body: body, as: Object.self)
    }

    public func replace<Object: Codable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        name: String,
        subresource: String?,
        _ object: Object
    ) async throws -> Object {
        let access = CurlRequest.Access(verb: "update", resource: resource, namespace: namespace, subresource: subresource)
        let body = try encode(object, access: access)
        let path = resource.path(namespace: namespace, name: name, subresource: subresource)
        return try await call(.put, access, path: path, body: body, as: Object.self)
    }

    public func mergePatch<Object: Decodable & Sendable>(
        _ resource: APIResource,
        namespace: String?,
        name: String,
        subresource: String?,
        patch: Data,
        as objectType: Object.Type
    ) async throws -> Object {
        let access = CurlRequest.Access(verb: "patch", resource: resource, namespace: namespace, subresource: subresource)
        let path = resource.path(namespace: namespace, name: name, subresource: subresource)
        return try await call(.patch, access, path: path, body: patch, contentType: "application/merge-patch+json", as: Object.self)
    }

    public func delete(_ resource: APIResource, namespace: String?, name: String) async throws {
        let access = CurlRequest.Access(verb: "delete", resource: resource, namespace: namespace, subresource: nil)
        _ = try await send(.delete, access, path: resource.path(namespace: namespace, name: name), query: [], body: nil, contentType: nil)
    }

    // MARK: Requests

    private func call<Result: Decodable>(
        _ method: CurlRequest.Method,
        _ access: CurlRequest.Access,
        path: String,
        query: [(String, String)] = [],
        body: Data? = nil,
        contentType: String? = "application/json",
        as type: Result.Type
    ) async throws -> Result {
        let (request, response) = try await send(method, access, path: path, query: query, body: body, contentType: body == nil ? nil : contentType)
        do {
            return try JSONDecoder().decode(Result.self, from: response.body)
        } catch {
            let failure = KubeAPIError(
                kind: .decoding,
                httpStatus: response.httpStatus,
                message: "\(request.method.rawValue) \(request.target): cannot decode the \(access.resource.kind) answer: \(error)"
            )
            failures.record(failure, access: access)
            throw failure
        }
    }

    /// Runs one request; a non-2xx answer becomes a `status` error.
    private func send(
        _ method: CurlRequest.Method,
        _ access: CurlRequest.Access,
        path: String,
        query: [(String, String)],
        body: Data?,
        contentType: String?
    ) async throws -> (CurlRequest, CurlResponse) {
        do {
            let request = try makeRequest(method, access, path: path, query: query, body: body, contentType: contentType)
            let response = try await perform(request)
            guard (200..<300).contains(response.httpStatus) else {
                throw KubeAPIError.response(response, request: request, credentials: settings.credentialDescription)
            }
            failures.recordSuccess(access: access)
            return (request, response)
        } catch {
            failures.record(error, access: access)
            throw error
        }
    }

    private func perform(_ request: CurlRequest) async throws -> CurlResponse {
        let transport = self.transport
        let settings = self.settings
        let id = transport.reserveID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                do {
                    transport.submit(try CurlTransfer(id: id, request: request, settings: settings, completion: .buffered(continuation)))
                } catch {
                    transport.release(id)
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            transport.cancel(id)
        }
    }

    private func makeRequest(
        _ method: CurlRequest.Method,
        _ access: CurlRequest.Access,
        path: String,
        query: [(String, String)],
        body: Data?,
        contentType: String?
    ) throws -> CurlRequest {
        var target = path
        if !query.isEmpty {
            target += "?" + query.map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        }
        var headers = ["Accept: application/json"]
        if let contentType { headers.append("Content-Type: \(contentType)") }
        // libcurl would send `Expect: 100-continue` for large bodies and wait for an answer
        // the API server does not need to give.
        if body != nil { headers.append("Expect:") }
        switch bearer {
        case .literal(let token)?: headers.append("Authorization: Bearer \(token)")
        case .file(let file)?: headers.append("Authorization: Bearer \(try file.token())")
        case nil: break
        }
        return CurlRequest(method: method, url: server + target, target: target, headers: headers, body: body, isWatch: false, access: access)
    }

    private func encode<Object: Encodable>(_ object: Object, access: CurlRequest.Access) throws -> Data {
        do {
            return try JSONEncoder().encode(object)
        } catch {
            throw KubeAPIError(kind: .decoding, message: "cannot encode the \(access.resource.kind) to send: \(error)")
        }
    }

    /// Query values keep only RFC 3986 unreserved characters; selectors (`a=b,c!=d`) and
    /// continue tokens (base64) are escaped.
    static func percentEncoded(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
