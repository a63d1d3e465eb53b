import ArgumentParser
import PorticoModel
import PorticoRouting

/// Flags that decide which Ingresses are ours and where unmatched requests go; shared by `run`,
/// `check` and `routes` so that all three see the same table.
struct RoutingOptions: ParsableArguments {
    @Option(help: "The IngressClass this controller serves (spec.ingressClassName or the kubernetes.io/ingress.class annotation).")
    var ingressClass = "portico"

    @Flag(help: "Also serve Ingresses that name no class at all.")
    var watchIngressWithoutClass = false

    @Option(help: ArgumentHelp("Service that serves requests no rule matches, as namespace/name or namespace/name:port (default: its first port). Without it they get 404.", valueName: "ns/name"))
    var defaultBackendService: String?

    @Option(name: .customLong("default-ssl-certificate"), help: ArgumentHelp("Secret (kubernetes.io/tls) served to TLS clients whose SNI names no TLS host, or that send none. Default: a self-signed certificate generated at start-up.", valueName: "ns/name"))
    var defaultSSLCertificate: String?

    @Option(name: .customLong("tcp-services-configmap"), help: ArgumentHelp("ConfigMap of layer-4 TCP services, ingress-nginx format: key = listening port, value = namespace/service:port[:PROXY[:PROXY]] (decode, send).", valueName: "ns/name"))
    var tcpServicesConfigMap: String?

    func translationOptions() throws -> TranslationOptions {
        var options = TranslationOptions()
        options.ingressClass = ingressClass
        options.watchIngressWithoutClass = watchIngressWithoutClass
        if let text = defaultSSLCertificate {
            guard let name = NamespacedName(parsing: text) else {
                throw ValidationError("--default-ssl-certificate takes namespace/name, not \"\(text)\".")
            }
            options.defaultSSLCertificate = name
        }
        if let text = tcpServicesConfigMap {
            guard let name = NamespacedName(parsing: text, defaultNamespace: ""), !name.namespace.isEmpty else {
                throw ValidationError("--tcp-services-configmap takes namespace/name, not \"\(text)\".")
            }
            options.tcpServicesConfigMap = name
        }
        if let text = defaultBackendService {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = parts.first.flatMap({ NamespacedName(parsing: $0) }) else {
                throw ValidationError("--default-backend-service takes namespace/name or namespace/name:port, not \"\(text)\".")
            }
            options.defaultBackendService = name
            if parts.count == 2 {
                options.defaultBackendPort = Int(parts[1]).map(ServicePortReference.number) ?? .name(parts[1])
            }
        }
        return options
    }
}
