/// core/v1 Secret. `data` stays base64 text as on the wire; whoever needs the bytes decodes
/// them and reports a bad encoding against the Secret's field.
public struct Secret: Codable, Hashable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var type: String?
    public var data: [String: String]?
    /// Write-only convenience in manifests; the API server folds it into `data`, local mode reads it.
    public var stringData: [String: String]?

    public init(metadata: ObjectMeta, type: String? = nil, data: [String: String]? = nil, stringData: [String: String]? = nil) {
        self.apiVersion = "v1"
        self.kind = "Secret"
        self.metadata = metadata
        self.type = type
        self.data = data
        self.stringData = stringData
    }

    public static let tlsType = "kubernetes.io/tls"
}
