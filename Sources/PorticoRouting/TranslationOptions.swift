public import PorticoModel

/// The controller-wide settings translation depends on (flags and config file, already parsed).
public struct TranslationOptions: Hashable, Sendable {
    /// The IngressClass name this controller serves.
    public var ingressClass: String
    /// The `spec.controller` of IngressClasses this controller owns.
    public var controllerName: String
    /// Also serve Ingresses that name no class at all, as ingress-nginx's `--watch-ingress-without-class`.
    public var watchIngressWithoutClass: Bool
    /// Serves what no Ingress serves (`--default-backend-service`), unless an Ingress has a
    /// `spec.defaultBackend`, which takes precedence.
    public var defaultBackendService: NamespacedName?
    /// The port of `defaultBackendService`; nil means the Service's first port.
    public var defaultBackendPort: ServicePortReference?
    /// The Secret served to TLS clients whose SNI names no configured host, or that send none
    /// (`--default-ssl-certificate`); nil means the proxy's generated certificate.
    public var defaultSSLCertificate: NamespacedName?
    /// The ConfigMap listing layer-4 TCP services (`--tcp-services-configmap`), in
    /// ingress-nginx's format; nil runs none.
    public var tcpServicesConfigMap: NamespacedName?
    /// The controller's ConfigMap of global settings (`--configmap`), read with ingress-nginx's
    /// key names (`ssl-redirect`, `force-ssl-redirect`, `hsts`); nil means the built-in defaults.
    public var controllerConfigMap: NamespacedName?
    /// Ports of Portico's own listeners (HTTP, HTTPS, admin), which a TCP service cannot take.
    public var reservedPorts: Set<Int>

    public static let defaultIngressClass = "portico"
    public static let defaultControllerName = "portico.dev/ingress-controller"

    public init(
        ingressClass: String = TranslationOptions.defaultIngressClass,
        controllerName: String = TranslationOptions.defaultControllerName,
        watchIngressWithoutClass: Bool = false,
        defaultBackendService: NamespacedName? = nil,
        defaultBackendPort: ServicePortReference? = nil,
        defaultSSLCertificate: NamespacedName? = nil,
        tcpServicesConfigMap: NamespacedName? = nil,
        reservedPorts: Set<Int> = [],
        controllerConfigMap: NamespacedName? = nil
    ) {
        self.ingressClass = ingressClass
        self.controllerName = controllerName
        self.watchIngressWithoutClass = watchIngressWithoutClass
        self.defaultBackendService = defaultBackendService
        self.defaultBackendPort = defaultBackendPort
        self.defaultSSLCertificate = defaultSSLCertificate
        self.tcpServicesConfigMap = tcpServicesConfigMap
        self.reservedPorts = reservedPorts
        self.controllerConfigMap = controllerConfigMap
    }
}
