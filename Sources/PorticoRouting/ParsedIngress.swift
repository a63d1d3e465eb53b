internal import PorticoModel
internal import PorticoRouteTable

/// One Ingress of our class after validation: the routes and default backend it asks for, not
/// yet merged with other Ingresses.
struct ParsedIngress: Sendable {
    let source: SourcedObject<Ingress>
    let precedence: IngressPrecedence
    var routes: [CandidateRoute] = []
    /// Every host its rules name, in rule order and without repeats, with or without `http`:
    /// the virtual hosts its default backend becomes the fallback of.
    var hosts: [HostMatch] = []
    var defaultBackend: ResolvedBackend?
    /// The Service backends that compiled no route: the default backend and those of paths with
    /// an invalid path. With `routes`, every Service backend, whose Service and port are looked
    /// up in the snapshot on each translation. A routed backend is not listed twice: at 10,000
    /// Ingresses that copy was 20 MB.
    var unroutedReferences: [ServiceReference] = []
    var report: ObjectReport

    var name: NamespacedName { source.key.name }
    var isRejected: Bool { report.hasErrors }

    init(source: SourcedObject<Ingress>) {
        self.source = source
        self.precedence = IngressPrecedence(source)
        self.report = ObjectReport(object: source.key, origin: source.origin)
    }

    func route(for backend: ResolvedBackend, match: PathMatch) -> Route {
        Route(
            match: match,
            backend: .cluster(backend.cluster),
            source: RouteSource(namespace: name.namespace, ingress: name.name, service: backend.service)
        )
    }
}

/// A Service backend and the field that names it.
struct ServiceReference: Sendable {
    let backend: ResolvedBackend
    let field: IngressField
}

/// One path of one rule, validated. The indexes name its field only when a diagnostic needs it,
/// so that the common case builds no field strings.
///
/// The route is built here, once per version of the Ingress: the memo carries it to the next
/// translation, where the same `Route` objects let an unchanged virtual host be recognised by
/// identity and reused whole.
struct CandidateRoute: Sendable {
    let host: HostMatch
    let backend: ResolvedBackend
    let field: IngressField
    let route: Route

    var match: PathMatch { route.match }
}
