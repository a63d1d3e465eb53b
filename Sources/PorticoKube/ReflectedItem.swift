public import PorticoModel

/// One object as a reflector received it: decoded into a `Resource`, or undecodable with as much
/// identity as could be read and the problem, ready to be reported.
public enum ReflectedItem: Hashable, Sendable {
    case object(Resource)
    case undecodable(key: ObjectKey?, resourceVersion: String?, error: SourceError)

    /// Wraps a leniently decoded object of `kind`.
    public init<Object: Decodable & Sendable>(_ item: Lenient<Object>, kind: ResourceKind, wrap: (Object) -> Resource) {
        switch item {
        case .decoded(let object):
            self = .object(wrap(object))
        case .undecodable(let metadata, let field, let message):
            var key: ObjectKey?
            if let name = metadata?.name, !name.isEmpty {
                let namespace = kind.isNamespaced ? (metadata?.namespace ?? "default") : ""
                key = ObjectKey(kind: kind, namespace: namespace, name: name)
            }
            let what = key.map { "\($0) cannot be read" } ?? "a \(kind) without a readable name cannot be read"
            self = .undecodable(
                key: key,
                resourceVersion: metadata?.resourceVersion,
                error: SourceError(origin: .apiServer, field: field, message: "\(what): \(field.isEmpty ? "" : "\(field) ")\(message)")
            )
        }
    }

    var key: ObjectKey? {
        switch self {
        case .object(let resource): resource.key
        case .undecodable(let key, _, _): key
        }
    }

    var resourceVersion: String? {
        switch self {
        case .object(let resource): resource.metadata.resourceVersion
        case .undecodable(_, let resourceVersion, _): resourceVersion
        }
    }

    var event: ResourceEvent {
        switch self {
        case .object(let resource): .upserted(SourcedResource(resource, origin: .apiServer))
        case .undecodable(let key, _, let error): .rejected(key, error)
        }
    }
}
