internal import PorticoModel

/// Which Ingress wins a conflict: the oldest (`metadata.creationTimestamp`, absent sorts last),
/// then namespace/name. The rule Contour and ingress-nginx use, so that creating a new Ingress
/// can never take a path away from one that already serves it.
struct IngressPrecedence: Comparable {
    /// RFC 3339 in UTC as the API server writes it, which orders correctly as text.
    let created: String?
    let name: NamespacedName

    init(_ ingress: SourcedObject<Ingress>) {
        self.created = ingress.object.metadata.creationTimestamp.flatMap { $0.isEmpty ? nil : $0 }
        self.name = ingress.key.name
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs.created, rhs.created) {
        case (.some(let left), .some(let right)) where left != right: return left < right
        case (.some, nil): return true
        case (nil, .some): return false
        default: return lhs.name < rhs.name
        }
    }
}
