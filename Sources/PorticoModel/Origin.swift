/// Where an object came from, so that every diagnostic can point a person at it: the API server
/// (namespace/name is enough there) or a file and line of a manifest folder in local mode.
public enum Origin: Hashable, Sendable, CustomStringConvertible {
    case apiServer
    /// `line` is 1-based and names the first line of the YAML document (or JSON file).
    case file(path: String, line: Int)

    public var description: String {
        switch self {
        case .apiServer: "API server"
        case .file(let path, let line): "\(path):\(line)"
        }
    }
}
