/// One layer-4 listener of the table: a TCP port whose connections are forwarded, unparsed, to
/// the ready endpoints of one Service port (ingress-nginx's `tcp-services` entries, Envoy's
/// `tcp_proxy`).
public struct TCPService: Hashable, Sendable {
    /// Where connections go; its endpoints are in `RouteTable.endpoints` like an HTTP cluster's.
    public let cluster: ClusterID
    /// Whether connections to this port start with a PROXY protocol header (v1 or v2) that the
    /// proxy reads and strips, because a load balancer in front adds one.
    public let decodeProxyProtocol: Bool
    /// Whether the proxy sends a PROXY protocol v1 header to the backend before the client's
    /// bytes, so that the backend learns the client's address.
    public let sendProxyProtocol: Bool

    public init(cluster: ClusterID, decodeProxyProtocol: Bool = false, sendProxyProtocol: Bool = false) {
        self.cluster = cluster
        self.decodeProxyProtocol = decodeProxyProtocol
        self.sendProxyProtocol = sendProxyProtocol
    }
}
