public import PorticoModel

/// One typed object of a snapshot with its key and where it came from.
public struct SourcedObject<Object: Sendable>: Sendable {
    public let key: ObjectKey
    public let object: Object
    public let origin: Origin

    public init(key: ObjectKey, object: Object, origin: Origin) {
        self.key = key
        self.object = object
        self.origin = origin
    }
}

extension SourcedObject: Equatable where Object: Equatable {}
extension SourcedObject: Hashable where Object: Hashable {}
