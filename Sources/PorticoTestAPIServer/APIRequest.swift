internal import Foundation

/// A whole HTTP request as the server's logic sees it, taken off the connection.
struct APIRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    /// Header names lowercased; a repeated header keeps its first value.
    var headers: [String: String]
    var body: [UInt8]
    /// The common name of a verified client certificate, when client certificates are on.
    var clientUser: String?
    /// `HTTP/1.1` or `HTTP/2`, as curl's `%{http_version}` spells them.
    var httpVersion: String
    /// The number of the TCP connection the request came on (`ServerCore.track`).
    var connection: Int

    var authorization: String? { headers["authorization"] }
    var contentType: String? { headers["content-type"] }

    /// Splits `/path?a=1&b=x%20y` into the path and the decoded query.
    static func split(uri: String) -> (path: String, query: [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            query[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return (String(uri[..<mark]), query)
    }

    private static func decode(_ text: Substring) -> String {
        let plusAsSpace = text.replacingOccurrences(of: "+", with: " ")
        return plusAsSpace.removingPercentEncoding ?? plusAsSpace
    }
}
