import CPorticoCurl
import CPorticoCurlShims
import Foundation

/// Sets options on one easy handle through the fixed-signature shims, turning a refused
/// option into a `configuration` error (an option this libcurl does not know, typically).
struct CurlOptionSetter {
    let easy: UnsafeMutableRawPointer
    let request: CurlRequest

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(option, portico_curl_easy_setopt_long(easy, option, value))
    }

    func set(_ option: CURLoption, _ value: String) throws {
        // libcurl copies string options.
        try check(option, portico_curl_easy_setopt_string(easy, option, value))
    }

    func clear(_ option: CURLoption) throws {
        try check(option, portico_curl_easy_setopt_string(easy, option, nil))
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws {
        try check(option, portico_curl_easy_setopt_pointer(easy, option, pointer))
    }

    func set(_ option: CURLoption, offset: curl_off_t) throws {
        try check(option, portico_curl_easy_setopt_off_t(easy, option, offset))
    }

    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws {
        try check(option, portico_curl_easy_setopt_slist(easy, option, list))
    }

    func set(_ option: CURLoption, write callback: portico_curl_write_callback) throws {
        try check(option, portico_curl_easy_setopt_write_callback(easy, option, callback))
    }

    /// Blob options are set with CURL_BLOB_COPY: libcurl keeps its own copy of the bytes.
    func set(_ option: CURLoption, blob: Data) throws {
        let code = blob.withUnsafeBytes { bytes -> CURLcode in
            var value = curl_blob(
                data: UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                len: bytes.count,
                flags: UInt32(CURL_BLOB_COPY)
            )
            return portico_curl_easy_setopt_blob(easy, option, &value)
        }
        try check(option, code)
    }

    private func check(_ option: CURLoption, _ code: CURLcode) throws {
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            throw KubeAPIError(
                kind: .configuration,
                message: "\(request.method.rawValue) \(request.target): libcurl refused option \(option.rawValue): \(reason)"
            )
        }
    }
}
