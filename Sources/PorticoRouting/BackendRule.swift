internal import PorticoModel
internal import PorticoRouteTable

/// A backend that passed validation: the cluster it names and the port as written.
struct ResolvedBackend: Hashable, Sendable {
    let cluster: ClusterID
    /// The port as the backend names it, which `presence` looks up on the Service.
    let port: ServicePortReference

    var service: String { cluster.service }
}

/// Validates an Ingress backend (`spec.defaultBackend` or a path's `backend`) and resolves it
/// against the snapshot's Services.
///
/// A badly shaped backend is an error (the API server would refuse it). A resource backend is
/// valid but unsupported, so it is a warning and the path is skipped. A missing Service or
/// port is a warning only: the route still compiles and answers 503, because the Service may
/// simply not have been created yet.
///
/// `parse` reads the Ingress alone and `presence` the snapshot's Services, so that the parse of
/// an unchanged Ingress can be reused while the Services it names are looked up every time.
enum BackendRule {
    enum Outcome: Equatable {
        case service(ResolvedBackend)
        case skipped
        case invalid
    }

    static func parse(
        _ backend: Ingress.Backend,
        field: () -> String,
        namespace: String,
        report: inout ObjectReport
    ) -> Outcome {
        switch (backend.service, backend.resource) {
        case (nil, nil):
            report.error(field(), "a backend needs service.name and service.port")
            return .invalid
        case (.some, .some):
            report.error(field(), "service and resource are mutually exclusive")
            return .invalid
        case (nil, .some(let resource)):
            let group = resource.apiGroup.map { "\($0)/" } ?? ""
            report.warning(
                "\(field()).resource",
                "resource backends (\(group)\(resource.kind) \(resource.name)) are not supported; this backend is skipped"
            )
            return .skipped
        case (.some(let service), nil):
            return parseService(service, field: { "\(field()).service" }, namespace: namespace, report: &report)
        }
    }

    private static func parseService(
        _ backend: Ingress.ServiceBackend,
        field: () -> String,
        namespace: String,
        report: inout ObjectReport
    ) -> Outcome {
        guard !backend.name.isEmpty else {
            report.error("\(field()).name", "service name is required")
            return .invalid
        }
        let portName = backend.port?.name.flatMap { $0.isEmpty ? nil : $0 }
        let port: ServicePortReference
        switch (backend.port?.number, portName) {
        case (nil, nil):
            report.error("\(field()).port", "a port number or name is required")
            return .invalid
        case (.some, .some):
            report.error("\(field()).port", "only one of port number and port name may be set")
            return .invalid
        case (.some(let number), nil):
            guard (1...65535).contains(number) else {
                report.error("\(field()).port.number", "port \(number) is out of range 1-65535")
                return .invalid
            }
            port = .number(number)
        case (nil, .some(let name)):
            port = .name(name)
        }
        return .service(ResolvedBackend(
            cluster: ClusterID(namespace: namespace, service: backend.name, port: port.description),
            port: port
        ))
    }

    /// What the snapshot holds for a backend's Service and port.
    enum Presence {
        case found
        case noService
        case noPort
    }

    /// Looks the backend's Service and port up.
    static func presence(of backend: ResolvedBackend, in snapshot: ResourceSnapshot) -> Presence {
        guard let ports = snapshot.servicePorts(NamespacedName(namespace: backend.cluster.namespace, name: backend.service)) else {
            return .noService
        }
        return ServicePortLookup.find(backend.port, in: ports) == nil ? .noPort : .found
    }

    /// Warns when the Service `backend` names, or its port, does not exist. `field` is the
    /// backend's (`spec.defaultBackend`, `spec.rules[0].http.paths[0].backend`).
    static func report(_ presence: Presence, of backend: ResolvedBackend, field: () -> String, report: inout ObjectReport) {
        // Named only when there is something to say: this runs for every backend on every
        // translation, and a `NamespacedName` hashes its strings when it is made.
        func serviceName() -> NamespacedName { NamespacedName(namespace: backend.cluster.namespace, name: backend.service) }
        switch presence {
        case .found:
            return
        case .noPort:
            let what = switch backend.port {
            case .number(let number): "port \(number)"
            case .name(let name): "port named \(quoted(name))"
            }
            report.warning("\(field()).service.port", "Service \(serviceName()) has no \(what); requests get 503")
        case .noService:
            report.warning("\(field()).service.name", "Service \(serviceName()) does not exist; requests get 503")
        }
    }
}
