public import Foundation
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A fresh folder under the system temporary directory, for tests that hand Portico a folder of
/// manifests (the manifest source, the harness, the `portico` executable). It is removed when
/// the value is released or by `remove()`.
///
/// Release can come right after the last use of the value, not at the end of the scope: a test
/// that only passes `path` on (to a process, say) keeps the folder with `defer { folder.remove() }`.
public final class TemporaryFolder: Sendable {
    public let path: String

    public var url: URL { URL(fileURLWithPath: self.path, isDirectory: true) }

    /// Creates the folder (named `prefix-UUID`) and writes `files` (relative path → text) into it.
    public init(prefix: String = "portico-test", files: [String: String] = [:]) throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.path = url.path
        for (name, text) in files {
            try self.write(name, text)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    public func path(_ relative: String) -> String { self.path + "/" + relative }

    /// Writes `text` to a relative path, creating folders on the way.
    public func write(_ relative: String, _ text: String) throws {
        let full = self.path(relative)
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Saves the way editors do: write a temporary sibling, then rename it over the file, so a
    /// watcher never reads half a file.
    public func atomicSave(_ relative: String, _ text: String) throws {
        let temporary = self.path(".\(UUID().uuidString).tmp")
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, self.path(relative)) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: self.path(relative))
    }

    /// Removes the folder and everything in it now.
    public func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
