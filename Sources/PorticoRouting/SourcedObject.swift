public import PorticoModel

/// One typed object of a snapshot with its key and where it came from.
///
/// A final class for the reason `SourcedResource` is one: translation sorts, filters and
/// passes along tens of thousands of Ingresses, and each move of a struct this size retained
/// every string in it.
public final class SourcedObject<Object: Sendable>: Sendable {
    public let key: ObjectKey
    public let object: Object
    public let origin: Origin

    public init(key: ObjectKey, object: Object, origin: Origin) {
        self.key = key
        self.object = object
        self.origin = origin
    }
}

extension SourcedObject: Equatable where Object: Equatable {
    public static func == (lhs: SourcedObject, rhs: SourcedObject) -> Bool {
        lhs === rhs || (lhs.key == rhs.key && lhs.origin == rhs.origin && lhs.object == rhs.object)
    }
}

extension SourcedObject: Hashable where Object: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(object)
        hasher.combine(origin)
    }
}
