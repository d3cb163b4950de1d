import PortalRPC
import PortalServices
import PortalStore
import Testing

@Suite struct BackupTests {
    /// An online backup holds everything committed before it and passes SQLite's integrity check.
    @Test func onlineBackupIsAConsistentCopy() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            let citizen = try await p.newCitizen()
            let filed = try await p.fileComplaint(citizen)
            let backup = try await p.admin.backupDatabase(.init(), options: admin.options)
            #expect(backup.path.hasPrefix(p.dataDirectory + "/backups/portal-"))
            #expect(backup.sizeBytes > 0)
            // A brief synchronous read of a small file (the test owns this copy).
            let (codes, integrity) = try await Task.detached {
                let db = try Database(path: backup.path, mode: .readOnly)
                defer { db.close() }
                let codes = try db.query("SELECT code FROM complaints") { $0.text(0) }
                let integrity = try db.queryOne("PRAGMA integrity_check") { $0.text(0) }
                return (codes, integrity)
            }.value
            #expect(codes == [filed.code])
            #expect(integrity == "ok")
        }
    }
}
