internal import Foundation

extension JSONValue {
    /// The JSON form of a `Codable` value, such as a model type a test already has, so it can
    /// be given to `TestAPIServer.apply`.
    public init(encoding value: some Encodable) throws {
        try self.init(parsing: JSONEncoder().encode(value))
    }

    /// This JSON decoded as `type`, such as a stored object read back as a model type.
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: serialized())
    }
}
