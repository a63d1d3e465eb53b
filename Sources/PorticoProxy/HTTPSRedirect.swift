internal import NIOCore
internal import NIOHTTP1
internal import PorticoRouteTable

/// The answer of the plain-HTTP listener for a host whose virtual host asks for HTTPS
/// (`HostSecurity.redirectToHTTPS`): 308 to the same host, path and query over https, without
/// contacting an upstream. 308 rather than 301 keeps the method and body, as ingress-nginx does.
///
/// `ProxyHandler` decides it from the virtual host it looks up for routing anyway, so a
/// request on a table without such hosts pays nothing for the feature.
enum HTTPSRedirect {
    /// The `Location` for a request to `hostValue` (a Host header or an absolute URI's
    /// authority) with `target`, redirected to the HTTPS listener on `port`; nil when the
    /// request names no host to redirect to.
    static func location(hostValue: Substring, target: RequestTarget, port: Int) -> String? {
        let host = HostName.normalize(hostValue)
        guard !host.isEmpty else { return nil }
        let portPart = port == 443 ? "" : ":\(port)"
        let path = target.path.isEmpty ? "/" : target.path
        return "https://\(host)\(portPart)\(path)"
    }

    /// The 308 response head and body for `location`.
    static func response(
        to location: String,
        version: HTTPVersion,
        close: Bool,
        allocator: ByteBufferAllocator
    ) -> (HTTPResponseHead, ByteBuffer) {
        var (head, body) = LocalResponse.make(.permanentRedirect, version: version, close: close, allocator: allocator)
        head.headers.add(name: "location", value: location)
        return (head, body)
    }
}
