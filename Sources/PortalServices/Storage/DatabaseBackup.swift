import PortalStore
#if canImport(Glibc)
import Glibc
#endif

/// An online backup of the store into `<data>/backups/`, named by its UTC time, through
/// SQLite's backup API on a reader thread (a consistent snapshot; writers keep going).
struct DatabaseBackup: Sendable {
    let core: PortalCore

    /// (path, size in bytes, time taken in Unix ms). The folder and the file's size are seen to
    /// on the core's file threads, the copy on a store reader: nothing here touches the disk on
    /// the calling (event loop) thread.
    func run() async throws(PortalError) -> (String, UInt64, Int64) {
        let directory = core.configuration.dataDirectory + "/backups"
        try await core.onFileThread {
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw PortalError.unavailable("cannot create the backups folder")
            }
        }
        let at = core.now()
        let path = "\(directory)/portal-\(Self.stamp(at)).sqlite"
        do { try await core.store.backup(to: path) } catch { throw PortalError(error) }
        let size = try await core.onFileThread { () throws -> UInt64 in
            var info = stat()
            guard stat(path, &info) == 0 else { throw PortalError.internalError("the backup file is missing") }
            return UInt64(info.st_size)
        }
        return (path, size, at)
    }

    /// `20261123T061502Z-123` (UTC, with milliseconds so two backups never collide).
    static func stamp(_ ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let millis = String(ms % 1000)
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z-"
            + String(repeating: "0", count: 3 - millis.count) + millis
    }
}
