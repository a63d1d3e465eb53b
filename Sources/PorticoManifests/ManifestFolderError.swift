/// Why a manifest folder as a whole cannot be read. Local mode cannot start without its folder,
/// so this is thrown rather than reported per document.
public enum ManifestFolderError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case notAFolder(path: String)
    case unreadable(path: String, reason: String)

    public var path: String {
        switch self {
        case .missing(let path), .notAFolder(let path), .unreadable(let path, _): path
        }
    }

    public var description: String {
        switch self {
        case .missing(let path): "manifest folder \(path) does not exist"
        case .notAFolder(let path): "manifest folder \(path) is not a folder"
        case .unreadable(let path, let reason): "cannot read manifest folder \(path): \(reason)"
        }
    }
}
