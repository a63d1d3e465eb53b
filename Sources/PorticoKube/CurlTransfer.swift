import CPorticoCurl
import CPorticoCurlShims
import Foundation

/// Where a transfer's outcome goes: a waiting `async` caller, or a watch stream.
enum CurlCompletion {
    case buffered(CheckedContinuation<CurlResponse, any Error>)
    case streaming(any CurlStreamConsumer)
}

/// What a watch does with the body of a 2xx response, called on the driver thread.
protocol CurlStreamConsumer: AnyObject {
    func consume(_ bytes: UnsafeRawBufferPointer) -> CurlStreamDisposition
    /// Called once: nil when the server ended the response normally.
    func finish(error: (any Error)?)
}

enum CurlStreamDisposition {
    case consumed
    case abort(KubeAPIError)
}

/// One easy handle and the state of its response.
///
/// Created and configured by the submitting task, then owned by the transport's driver
/// thread from submission to completion: every method below runs there. The class is
/// `@unchecked Sendable` only so that it can cross into the driver's queue once.
final class CurlTransfer: @unchecked Sendable {
    /// Bodies larger than this fail rather than exhaust memory. A page of a list is far
    /// smaller (callers page with `limit`); an unpaged list of every Secret in a big cluster
    /// is the case this guards.
    static let maximumBodyBytes = 512 * 1024 * 1024
    /// Error bodies are `Status` objects of a few hundred bytes; anything beyond this is cut.
    static let maximumErrorBodyBytes = 64 * 1024

    let id: UInt64
    let easy: UnsafeMutableRawPointer
    let request: CurlRequest
    let settings: CurlTransportSettings
    private var completion: CurlCompletion?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var httpStatus: Int?
    private var body = Data()
    private var retryAfter: String?
    private var abortError: KubeAPIError?

    init(id: UInt64, request: CurlRequest, settings: CurlTransportSettings, completion: CurlCompletion) throws {
        guard let easy = curl_easy_init() else {
            throw KubeAPIError(kind: .configuration, message: "libcurl could not create a handle for \(request.method.rawValue) \(request.target)")
        }
        self.id = id
        self.easy = easy
        self.request = request
        self.settings = settings
        self.completion = completion
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try configure()
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    // MARK: Setup

    private func configure() throws {
        let options = CurlOptionSetter(easy: easy, request: request)
        try options.set(CURLOPT_URL, request.url)
        try options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try options.set(CURLOPT_USERAGENT, settings.userAgent)
        try options.set(CURLOPT_NOSIGNAL, 1)
        try options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // HTTP/2 when ALPN offers it, so that every watch rides one connection; PIPEWAIT makes
        // a new transfer wait for a connection being set up rather than open a second one.
        try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        try options.set(CURLOPT_PIPEWAIT, 1)
        // Large lists compress well; the API server gzips when asked.
        try options.set(CURLOPT_ACCEPT_ENCODING, "")
        try options.set(CURLOPT_TCP_KEEPALIVE, 1)
        try options.set(CURLOPT_TCP_KEEPIDLE, 30)
        try options.set(CURLOPT_TCP_KEEPINTVL, 15)
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds)
        if request.isWatch {
            if let limit = request.watchTimeoutSeconds {
                try options.set(CURLOPT_TIMEOUT_MS, (limit + settings.watchTimeoutMarginSeconds) * 1000)
            }
        } else {
            try options.set(CURLOPT_TIMEOUT_MS, settings.requestTimeoutMilliseconds)
            try options.set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try options.set(CURLOPT_LOW_SPEED_TIME, settings.stallTimeoutSeconds)
        }
        try configureTLS(options)

        for header in request.headers {
            headerList = curl_slist_append(headerList, header)
        }
        try options.set(CURLOPT_HTTPHEADER, list: headerList)

        switch request.method {
        case .get:
            break
        case .delete:
            try options.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        case .post, .put, .patch:
            if request.method != .post {
                try options.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
            let body = request.body ?? Data()
            try options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            // COPYPOSTFIELDS copies the bytes, so the Data need not outlive this call.
            if body.isEmpty {
                try options.set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                try body.withUnsafeBytes { bytes in
                    try options.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                }
            }
        }

        let userdata = Unmanaged.passUnretained(self).toOpaque()
        try options.set(CURLOPT_WRITEFUNCTION, write: curlWriteCallback)
        try options.set(CURLOPT_WRITEDATA, pointer: userdata)
        try options.set(CURLOPT_HEADERFUNCTION, write: curlHeaderCallback)
        try options.set(CURLOPT_HEADERDATA, pointer: userdata)
    }

    private func configureTLS(_ options: CurlOptionSetter) throws {
        if settings.insecureSkipTLSVerify {
            try options.set(CURLOPT_SSL_VERIFYPEER, 0)
            try options.set(CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try options.set(CURLOPT_SSL_VERIFYPEER, 1)
            try options.set(CURLOPT_SSL_VERIFYHOST, 2)
        }
        if let ca = settings.certificateAuthorityPEM {
            // Trust this CA alone: without clearing them, libcurl would also load the system
            // bundle and folder, and a publicly signed impostor would verify.
            try options.clear(CURLOPT_CAINFO)
            try options.clear(CURLOPT_CAPATH)
            try options.set(CURLOPT_CAINFO_BLOB, blob: ca)
        }
        if let client = settings.clientCertificate {
            try options.set(CURLOPT_SSLCERTTYPE, "PEM")
            try options.set(CURLOPT_SSLCERT_BLOB, blob: client.certificatePEM)
            try options.set(CURLOPT_SSLKEYTYPE, "PEM")
            try options.set(CURLOPT_SSLKEY_BLOB, blob: client.keyPEM)
        }
    }

    // MARK: Driver-thread callbacks

    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            // A new response (after a 100 Continue, say): forget the previous one's headers.
            retryAfter = nil
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        if name == "retry-after" {
            retryAfter = text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Returns the number of bytes taken, or 0 to abort.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let status = currentStatus()
        guard (200..<300).contains(status) else {
            let room = max(0, Self.maximumErrorBodyBytes - body.count)
            body.append(contentsOf: bytes.prefix(room))
            return bytes.count
        }
        switch completion {
        case .buffered?:
            guard body.count + bytes.count <= Self.maximumBodyBytes else {
                abortError = KubeAPIError(
                    kind: .transport,
                    message: "\(request.method.rawValue) \(request.target): the response is larger than \(Self.maximumBodyBytes / 1024 / 1024) MiB; page the list with a limit"
                )
                return 0
            }
            body.append(contentsOf: bytes)
            return bytes.count
        case .streaming(let consumer)?:
            switch consumer.consume(bytes) {
            case .consumed:
                return bytes.count
            case .abort(let error):
                abortError = error
                return 0
            }
        case nil:
            return 0
        }
    }

    /// The transfer left the multi handle with `code`.
    func complete(_ code: CURLcode) {
        if let abortError {
            fail(abortError)
            return
        }
        guard code == CURLE_OK else {
            fail(KubeAPIError.transfer(code: code, detail: String(cString: errorBuffer), request: request, settings: settings))
            return
        }
        let status = currentStatus()
        switch completion {
        case .buffered(let continuation)?:
            continuation.resume(returning: CurlResponse(httpStatus: status, body: body, retryAfter: retryAfter))
        case .streaming(let consumer)?:
            if (200..<300).contains(status) {
                consumer.finish(error: nil)
            } else {
                consumer.finish(error: KubeAPIError.response(CurlResponse(httpStatus: status, body: body, retryAfter: retryAfter), request: request, credentials: settings.credentialDescription))
            }
        case nil:
            break
        }
        completion = nil
    }

    /// Ends the transfer with `error` (cancellation, shutdown, a refused submission).
    func fail(_ error: any Error) {
        switch completion {
        case .buffered(let continuation)?: continuation.resume(throwing: error)
        case .streaming(let consumer)?: consumer.finish(error: error)
        case nil: break
        }
        completion = nil
    }

    private func currentStatus() -> Int {
        if let httpStatus { return httpStatus }
        var code = 0
        guard portico_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK, code != 0 else { return 0 }
        httpStatus = code
        return code
    }
}

private let curlWriteCallback: portico_curl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeaderCallback: portico_curl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}
