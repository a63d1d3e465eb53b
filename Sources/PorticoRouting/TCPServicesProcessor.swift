internal import PorticoModel
internal import PorticoRouteTable

/// Reads the tcp-services ConfigMap (`--tcp-services-configmap`) into the table's layer-4
/// listeners, in ingress-nginx's format: each key is a listening port, each value
/// `namespace/service:port`, optionally followed by `:PROXY` to decode a PROXY protocol header
/// from clients and a second `:PROXY` to send one to the backend (`ns/svc:5432::PROXY` sends
/// without decoding).
///
/// Each entry stands alone: a bad one is reported against the ConfigMap, naming its key, and
/// every other entry still listens. An entry whose Service or port does not exist still
/// listens (so a Service created later starts working without a new listener) and closes the
/// connections it accepts, the layer-4 form of 503.
struct TCPServicesProcessor: TranslationProcessor {
    func run(_ state: inout TranslationState) {
        guard let name = state.options.tcpServicesConfigMap else { return }
        guard
            let (key, configMap, origin) = state.namedConfigMap(
                name, whenMissing: "does not exist, so no TCP service listens (--tcp-services-configmap)"
            )
        else { return }
        var report = ObjectReport(object: key, origin: origin)
        for (port, value) in (configMap.data ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = "data[\(port)]"
            switch TCPServiceEntry.parse(port: port, value: value, reservedPorts: state.options.reservedPorts) {
            case .invalid(let message):
                report.warning(field, "\(message); this entry is ignored")
            case .valid(let number, let service):
                state.tcpServices[number] = service
                if let problem = Self.backendProblem(service.cluster, snapshot: state.snapshot) {
                    report.warning(field, "\(problem); port \(number) listens and closes every connection")
                }
            }
        }
        state.diagnostics.append(contentsOf: report.diagnostics)
    }

    private static func backendProblem(_ cluster: ClusterID, snapshot: ResourceSnapshot) -> String? {
        let name = NamespacedName(namespace: cluster.namespace, name: cluster.service)
        guard let ports = snapshot.servicePorts(name) else { return "Service \(name) does not exist" }
        guard ServicePortLookup.find(clusterPort: cluster.port, in: ports) != nil else {
            return "Service \(name) has no port \(quoted(cluster.port))"
        }
        return nil
    }
}

/// One entry of a tcp-services ConfigMap, validated.
enum TCPServiceEntry: Equatable {
    case valid(port: Int, service: TCPService)
    /// Why the entry cannot be used, as the middle of a sentence.
    case invalid(String)

    static let proxyMarker = "PROXY"

    static func parse(port key: String, value: String, reservedPorts: Set<Int>) -> TCPServiceEntry {
        guard !key.isEmpty, key.utf8.count <= 5, key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let port = Int(key), (1...65535).contains(port)
        else { return .invalid("\(quoted(key)) is not a port number from 1 to 65535") }
        guard !reservedPorts.contains(port) else {
            return .invalid("port \(port) is one of Portico's own listeners")
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let format = "must be namespace/service:port, optionally followed by :PROXY and :PROXY"
        guard (2...4).contains(parts.count), let name = NamespacedName(parsing: parts[0], defaultNamespace: ""),
              !name.namespace.isEmpty, !parts[1].isEmpty
        else { return .invalid("\(quoted(value)) \(format)") }
        let flags = parts.dropFirst(2)
        guard flags.allSatisfy({ $0.isEmpty || $0 == proxyMarker }) else {
            return .invalid("\(quoted(value)) \(format) (the only option is \"PROXY\")")
        }
        let decode = flags.first == proxyMarker
        let send = flags.count == 2 && flags.last == proxyMarker
        let cluster = ClusterID(namespace: name.namespace, service: name.name, port: parts[1])
        return .valid(port: port, service: TCPService(cluster: cluster, decodeProxyProtocol: decode, sendProxyProtocol: send))
    }
}
