internal import NIOCore

/// What a PROXY protocol header (v1 or v2) says about a connection a load balancer forwarded.
enum ProxyProtocolHeader: Equatable {
    /// The client's and the load balancer's addresses, as the load balancer saw them.
    case proxied(source: ProxiedAddress, destination: ProxiedAddress)
    /// v2 `LOCAL` (a health check from the balancer itself), v1 `UNKNOWN`, or an address
    /// family the proxy does not use: the connection's own addresses stand.
    case local

    /// The client address to report, or nil when the socket's own address stands.
    var sourceAddress: String? {
        switch self {
        case .proxied(let source, _): source.host
        case .local: nil
        }
    }

    /// The v1 text header the proxy sends to a backend: the client `source` as seen on
    /// `destination` (the proxy's listening address). Mixed or non-IP families give
    /// `PROXY UNKNOWN`, which tells the backend to use the connection's addresses.
    static func v1Bytes(source: ProxiedAddress?, destination: ProxiedAddress?) -> String {
        guard let source, let destination else { return "PROXY UNKNOWN\r\n" }
        let family: String
        switch (source.host.contains(":"), destination.host.contains(":")) {
        case (false, false): family = "TCP4"
        case (true, true): family = "TCP6"
        default: return "PROXY UNKNOWN\r\n"
        }
        return "PROXY \(family) \(source.host) \(destination.host) \(source.port) \(destination.port)\r\n"
    }
}

/// An IP address and port carried by a PROXY protocol header, the address in its canonical text
/// form (`192.0.2.1`, `2001:db8::1`).
struct ProxiedAddress: Equatable {
    let host: String
    let port: Int

    /// The IP address and port of a socket address, or nil for a Unix socket.
    init?(_ address: SocketAddress?) {
        guard let address, let host = address.ipAddress, let port = address.port else { return nil }
        self.init(host: host, port: port)
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
