import Foundation
import Testing

@testable import PortalStore

/// WAL checkpoints run on the checkpointer's thread, never inside the writer's commits, and
/// leave nothing behind; without it, SQLite's automatic checkpoint is back on the writer.
@Suite("Store: checkpointer thread") struct CheckpointerTests {
    /// The writer's connection settings as SQLite reports them.
    static func writerPragmas(_ store: Store) async throws -> (autocheckpoint: Int64, tempStore: Int64) {
        try await store.write { db in
            (try db.queryOne("PRAGMA wal_autocheckpoint") { $0.int(0) } ?? -1,
             try db.queryOne("PRAGMA temp_store") { $0.int(0) } ?? -1)
        }
    }

    @Test func checkpointsRunOnTheirOwnThreadAndCatchUp() async throws {
        try await TemporaryDirectory.with { dir in
            var configuration = StoreConfiguration(migrations: itemMigrations)
            configuration.checkpointInterval = .milliseconds(5)
            let store = try await Store.open(path: dir.file("s.sqlite"), configuration: configuration)
            let pragmas = try await Self.writerPragmas(store)
            #expect(pragmas.autocheckpoint == 0)
            #expect(pragmas.tempStore == 2)  // MEMORY
            for i in 0..<200 {
                try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "item \(i)") }
            }
            try await waitUntil("a checkpoint ran") { store.statistics.checkpoints > 0 }
            #expect(store.statistics.failedCheckpoints == 0)
            await store.shutdown()

            // Everything committed is in the file once the store has closed (the writer's
            // close checkpoints the rest after the checkpointer stopped).
            let db = try Database(path: dir.file("s.sqlite"), mode: .readOnly)
            #expect(try db.queryOne("SELECT count(*) FROM item") { $0.int(0) } == 200)
            #expect(try db.queryOne("PRAGMA integrity_check") { $0.text(0) } == "ok")
        }
    }

    @Test func withoutTheCheckpointerSQLiteCheckpointsAutomatically() async throws {
        try await TemporaryDirectory.with { dir in
            var configuration = StoreConfiguration(migrations: itemMigrations)
            configuration.checkpointInterval = nil
            let store = try await Store.open(path: dir.file("s.sqlite"), configuration: configuration)
            #expect(try await Self.writerPragmas(store).autocheckpoint == 1000)
            try await store.write { db in try db.run("INSERT INTO item (value) VALUES ('x')") }
            #expect(store.statistics.checkpoints == 0)
            await store.shutdown()
        }
    }

    @Test func readersMapTheFile() async throws {
        try await TemporaryDirectory.with { dir in
            var configuration = StoreConfiguration(migrations: itemMigrations)
            configuration.readerMmapBytes = 1 << 20
            configuration.readerCacheKiB = 1024
            let store = try await Store.open(path: dir.file("s.sqlite"), configuration: configuration)
            let (mmap, cache) = try await store.read { db in
                (try db.queryOne("PRAGMA mmap_size") { $0.int(0) }, try db.queryOne("PRAGMA cache_size") { $0.int(0) })
            }
            #expect(mmap == 1 << 20 && cache == -1024)
            await store.shutdown()
        }
    }
}
