internal import Foundation

/// The opaque `continue` value of a paged list: the list's resourceVersion and the last key
/// returned, base64-encoded JSON as the real server's token is. Clients must not parse it.
struct ContinueToken: Sendable, Hashable, Codable {
    var resourceVersion: Int
    var namespace: String
    var name: String

    init(resourceVersion: Int, namespace: String, name: String) {
        self.resourceVersion = resourceVersion
        self.namespace = namespace
        self.name = name
    }

    /// Nil for anything this server did not issue.
    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let token = try? JSONDecoder().decode(Self.self, from: data) else {
            return nil
        }
        self = token
    }

    var encoded: String {
        ((try? JSONEncoder().encode(self)) ?? Data()).base64EncodedString()
    }
}
