internal import Foundation
public import PorticoModel

/// Builders for the Kubernetes objects tests feed to translation and the reconciler, so that a
/// test reads as the manifest it stands for: `Fixture.ingress(name: "web", rules: [...])`.
///
/// Defaults are the common case (namespace `default`, class `portico`, pathType `Prefix`), so a
/// test only spells what it is about.
public enum Fixture {
    /// A Service port as an Ingress backend names it: `port: 80` or `port: "http"`.
    public enum Port: Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        case number(Int)
        case name(String)

        public init(integerLiteral value: Int) { self = .number(value) }
        public init(stringLiteral value: String) { self = .name(value) }

        public var backendPort: Ingress.ServiceBackendPort {
            switch self {
            case .number(let number): Ingress.ServiceBackendPort(number: number)
            case .name(let name): Ingress.ServiceBackendPort(name: name)
            }
        }
    }

    /// `metadata.creationTimestamp` for "created `minutes` after 2024-01-01T00:00:00Z", in the
    /// API server's format (valid for up to 31 days), so tests can order Ingresses by age.
    public static func timestamp(minutes: Int) -> String {
        let day = 1 + minutes / (24 * 60)
        let hour = (minutes / 60) % 24
        let minute = minutes % 60
        return "2024-01-\(twoDigits(day))T\(twoDigits(hour)):\(twoDigits(minute)):00Z"
    }

    public static func ingress(
        name: String,
        namespace: String = "default",
        className: String? = "portico",
        annotations: [String: String]? = nil,
        rules: [Ingress.Rule] = [],
        defaultBackend: Ingress.Backend? = nil,
        tls: [Ingress.TLS]? = nil,
        created: Int? = nil
    ) -> Resource {
        .ingress(Ingress(
            metadata: ObjectMeta(
                name: name,
                namespace: namespace,
                creationTimestamp: created.map { timestamp(minutes: $0) },
                annotations: annotations
            ),
            spec: Ingress.Spec(
                ingressClassName: className,
                defaultBackend: defaultBackend,
                tls: tls,
                rules: rules.isEmpty ? nil : rules
            )
        ))
    }

    /// A `kubernetes.io/tls` Secret holding PEM text, base64-encoded in `data` as the API server
    /// stores it.
    public static func tlsSecret(
        name: String,
        namespace: String = "default",
        certificate: String,
        key: String,
        type: String? = Secret.tlsType
    ) -> Resource {
        .secret(Secret(
            metadata: ObjectMeta(name: name, namespace: namespace),
            type: type,
            data: [
                "tls.crt": Data(certificate.utf8).base64EncodedString(),
                "tls.key": Data(key.utf8).base64EncodedString(),
            ]
        ))
    }

    /// A rule; `paths: nil` writes a rule with a host and no `http` section.
    public static func rule(host: String? = nil, paths: [Ingress.Path]?) -> Ingress.Rule {
        Ingress.Rule(host: host, http: paths.map { Ingress.HTTPRuleValue(paths: $0) })
    }

    public static func path(_ path: String? = "/", type: String? = "Prefix", service: String, port: Port) -> Ingress.Path {
        Ingress.Path(path: path, pathType: type, backend: backend(service: service, port: port))
    }

    public static func path(_ path: String? = "/", type: String? = "Prefix", backend: Ingress.Backend) -> Ingress.Path {
        Ingress.Path(path: path, pathType: type, backend: backend)
    }

    public static func backend(service: String, port: Port) -> Ingress.Backend {
        Ingress.Backend(service: Ingress.ServiceBackend(name: service, port: port.backendPort))
    }

    /// A `resource` backend (say, a storage bucket), which Portico does not support.
    public static func resourceBackend(kind: String, name: String, apiGroup: String? = nil) -> Ingress.Backend {
        Ingress.Backend(resource: Ingress.TypedLocalObjectReference(apiGroup: apiGroup, kind: kind, name: name))
    }

    public static func servicePort(_ port: Int, name: String? = nil, targetPort: IntOrString? = nil) -> Service.Port {
        Service.Port(name: name, protocol: "TCP", port: port, targetPort: targetPort)
    }

    public static func service(name: String, namespace: String = "default", ports: [Service.Port] = [servicePort(80)]) -> Resource {
        .service(Service(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: Service.Spec(type: "ClusterIP", ports: ports, selector: ["app": name])
        ))
    }

    /// One EndpointSlice of `service` with one port and the same conditions for every address.
    /// Give each slice of one Service its own `name`.
    public static func endpointSlice(
        name: String? = nil,
        service: String,
        namespace: String = "default",
        addresses: [String],
        port: Int,
        portName: String? = nil,
        ready: Bool? = nil,
        terminating: Bool? = nil,
        addressType: String = "IPv4"
    ) -> Resource {
        let conditions = ready == nil && terminating == nil
            ? nil
            : EndpointSlice.Conditions(ready: ready, terminating: terminating)
        return .endpointSlice(EndpointSlice(
            metadata: ObjectMeta(
                name: name ?? "\(service)-slice",
                namespace: namespace,
                labels: [EndpointSlice.serviceNameLabel: service]
            ),
            addressType: addressType,
            endpoints: addresses.map { EndpointSlice.Endpoint(addresses: [$0], conditions: conditions) },
            ports: [EndpointSlice.Port(name: portName, port: port, protocol: "TCP")]
        ))
    }

    /// v1 Endpoints of `service` (same name), one subset.
    public static func endpoints(
        service: String,
        namespace: String = "default",
        addresses: [String],
        notReadyAddresses: [String] = [],
        port: Int,
        portName: String? = nil
    ) -> Resource {
        .endpoints(Endpoints(
            metadata: ObjectMeta(name: service, namespace: namespace),
            subsets: [Endpoints.Subset(
                addresses: addresses.map { Endpoints.Address(ip: $0) },
                notReadyAddresses: notReadyAddresses.isEmpty ? nil : notReadyAddresses.map { Endpoints.Address(ip: $0) },
                ports: [Endpoints.Port(name: portName, port: port, protocol: "TCP")]
            )]
        ))
    }

    public static func ingressClass(
        name: String = "portico",
        controller: String = "portico.dev/ingress-controller",
        isDefault: Bool = false
    ) -> Resource {
        .ingressClass(IngressClass(
            metadata: ObjectMeta(
                name: name,
                annotations: isDefault ? [IngressClass.isDefaultClassAnnotation: "true"] : nil
            ),
            spec: IngressClass.Spec(controller: controller)
        ))
    }

    /// The objects keyed as a store holds them, all from `origin`; feed it to
    /// `ResourceSnapshot(_:)`. A later object with the same key replaces an earlier one.
    public static func snapshot(_ resources: [Resource], origin: Origin = .apiServer) -> [ObjectKey: SourcedResource] {
        snapshot(resources.map { SourcedResource($0, origin: origin) })
    }

    /// The objects keyed as a store holds them, each with its own origin.
    public static func snapshot(_ resources: [SourcedResource]) -> [ObjectKey: SourcedResource] {
        var objects: [ObjectKey: SourcedResource] = [:]
        for resource in resources { objects[resource.key] = resource }
        return objects
    }

    /// `resource` as read from line `line` of manifest file `path`.
    public static func inFile(_ path: String, line: Int, _ resource: Resource) -> SourcedResource {
        SourcedResource(resource, origin: .file(path: path, line: line))
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
