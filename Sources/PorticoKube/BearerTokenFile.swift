#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A bearer token read from a file and re-read when the file changes.
///
/// Projected service-account tokens are rotated by the kubelet, which swaps a symlink, so a
/// token read once at start is rejected an hour or so later. Each request calls `token()`,
/// which costs one `stat`; the file is read again only when its device, inode, size or
/// modification time differ from the last read.
final class BearerTokenFile: Sendable {
    let path: String
    private let cache = Mutex<(identity: FileIdentity, token: String)?>(nil)

    init(path: String) {
        self.path = path
    }

    /// The current token. Throws a `configuration` error naming the path when the file cannot
    /// be read or is empty.
    func token() throws -> String {
        let identity = try FileIdentity(path: path)
        if let cached = cache.withLock({ $0 }), cached.identity == identity {
            return cached.token
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw KubeAPIError(kind: .configuration, message: "cannot read the bearer token file \(path)")
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw KubeAPIError(kind: .configuration, message: "the bearer token file \(path) is empty")
        }
        cache.withLock { $0 = (identity, token) }
        return token
    }

    /// What `stat` says about the file, enough to notice a rewrite or a symlink swap.
    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64

        init(path: String) throws {
            var info = stat()
            guard stat(path, &info) == 0 else {
                let reason = String(cString: strerror(errno))
                throw KubeAPIError(kind: .configuration, message: "cannot read the bearer token file \(path): \(reason)")
            }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            #if canImport(Darwin)
            modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
            #else
            modifiedSeconds = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
            #endif
        }
    }
}
