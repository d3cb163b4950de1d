import CSQLite

#if canImport(Glibc)
import Glibc
#endif

extension Database {
    /// Copies this connection's database to `path` with SQLite's online backup API, in one
    /// pass under a read snapshot (WAL lets the writer keep committing meanwhile; the copy is
    /// the database as of the snapshot).
    ///
    /// The copy is written to `path + ".partial"` and renamed over `path` only when complete,
    /// so `path` is never a half-written file. An existing file at `path` is replaced.
    public func backup(to path: String) throws(StoreError) {
        let source = try handle()
        guard !isInTransaction else {
            throw StoreError(.misuse, message: "backup inside a transaction")
        }
        let partial = path + ".partial"
        _ = unlink(partial)
        do throws(StoreError) {
            let destination = try Database(path: partial, mode: .readWrite)
            defer { destination.close() }
            let target = try destination.handle()
            guard let backup = sqlite3_backup_init(target, "main", source, "main") else {
                throw StoreError.current(target)
            }
            let stepCode = sqlite3_backup_step(backup, -1)
            let finishCode = sqlite3_backup_finish(backup)
            guard stepCode == SQLITE_DONE, finishCode == SQLITE_OK else {
                throw StoreError(
                    resultCode: stepCode == SQLITE_DONE ? finishCode : stepCode,
                    message: "backup failed: \(String(cString: sqlite3_errmsg(target)))")
            }
        } catch {
            _ = unlink(partial)
            throw error
        }
        guard rename(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = unlink(partial)
            throw StoreError(.ioError, message: "backup: cannot rename into \(path): \(reason)")
        }
    }
}
