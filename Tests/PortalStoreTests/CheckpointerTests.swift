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

    /// Under writes that never pause, the WAL only starts over because the writer restarts it
    /// between batches when the checkpointer asks; without that it grew by every frame written
    /// (700 MB in 10 s of the FileComplaint benchmark, where reads kept it from ever starting
    /// over on its own). Reads that hold the WAL are the next test's case.
    @Test func aWALUnderSteadyWritesStaysBounded() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir.file("s.sqlite")
            let store = try await Self.openRestarting(path: path, restartFrames: 64)
            let writers = 16, writesEach = 300
            let filler = String(repeating: "x", count: 2000)
            let largestWAL = try await withThrowingTaskGroup(of: Int.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        var largest = 0
                        for i in 0..<writesEach {
                            try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "\(w).\(i).\(filler)") }
                            if w == 0 { largest = max(largest, Self.fileSize(path + "-wal")) }
                        }
                        return largest
                    }
                }
                var largest = 0
                for try await l in group { largest = max(largest, l) }
                return largest
            }
            let written = writers * writesEach * filler.utf8.count  // about 9.6 MB of values alone
            let statistics = store.statistics
            #expect(statistics.walRestarts > 0)
            // How far it grows depends on how long a checkpoint pass takes (the WAL cannot start
            // over during one) and on this machine's load; what matters is that it does start
            // over. Without the restarts it holds every value twice (row and UNIQUE index) and
            // every page version: 88 MB, over 9 x written, in session 5's run; with them 1-3 x
            // written depending on load.
            #expect(largestWAL < 4 * written, "WAL reached \(largestWAL) bytes; \(statistics.walRestarts) restarts, \(statistics.deferredWALRestarts) put off, \(statistics.checkpoints) passes, \(statistics.commits) commits")
            #expect(statistics.failedCheckpoints == 0)
            await store.shutdown()
            let db = try Database(path: path, mode: .readOnly)
            #expect(try db.queryOne("SELECT count(*) FROM item") { $0.int(0) } == Int64(writers * writesEach))
            #expect(try db.queryOne("PRAGMA integrity_check") { $0.text(0) } == "ok")
        }
    }

    /// A read that holds its snapshot (a long query, an online backup) keeps the WAL from
    /// starting over, but must not hold up the writes: the writer waits for it at most
    /// `Store.restartWaitMillis` per attempt and tries again only after another `walRestartFrames`,
    /// not for the busy timeout (5 s an attempt, which would put these writes past the time
    /// limit), and restarts once the read has ended.
    @Test(.timeLimit(.minutes(1))) func aLongReadDefersTheRestartWithoutHoldingUpWrites() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir.file("s.sqlite")
            let store = try await Self.openRestarting(path: path, restartFrames: 16)
            let filler = String(repeating: "y", count: 1000)
            func writeBurst(_ tag: String, writers: Int, each: Int) async throws {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<writers {
                        group.addTask {
                            for i in 0..<each {
                                try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "\(tag).\(w).\(i).\(filler)") }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try await writeBurst("before", writers: 4, each: 25)
            // The checkpointer's thread may start late on a loaded machine: let it run a pass.
            var waited = 0
            while store.statistics.checkpoints == 0 && waited < 3000 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            #expect(store.statistics.checkpoints > 0, "the checkpointer ran no pass in 30 s")
            let reader = try Database(path: path, mode: .readOnly)
            try reader.execute("BEGIN")
            #expect(try reader.queryOne("SELECT count(*) FROM item") { $0.int(0) } == 100)  // holds its snapshot
            // One write first. It lets a restart that was already under way when the read began
            // finish, and SQLite may allow one more: a read that began on a fully copied-back
            // WAL reads the database file alone and does not stop a restart. Once this write's
            // frame is in the WAL, though, no restart can copy it back past the read.
            try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "flush.\(filler)") }
            let restartsBefore = store.statistics.walRestarts
            try await writeBurst("during", writers: 8, each: 100)
            // Writes go on until a restart has been tried and put off (the checkpointer passes
            // on its own schedule), and none goes through while the read holds.
            var more = 0
            while store.statistics.deferredWALRestarts == 0 && more < 5000 {
                let value = "more.\(more).\(filler)"
                try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", value) }
                more += 1
            }
            let during = store.statistics
            let detail = "\(more) extra writes, restarts \(restartsBefore) -> \(during.walRestarts), \(during.deferredWALRestarts) put off, \(during.checkpoints) passes, \(during.commits) commits"
            #expect(during.walRestarts == restartsBefore, "\(detail)")
            #expect(during.deferredWALRestarts > 0, "\(detail)")
            let framesWhileRead = store.statistics.walFrames
            try reader.execute("COMMIT")
            reader.close()
            // Once the read has ended, the writes that follow start the WAL over: the writer's
            // RESTART (it runs before a batch, so it takes writes to happen), or SQLite itself
            // when a write begins on a WAL all copied back; either way it gets shorter.
            var after = 0
            func startedOver() -> Bool {
                let s = store.statistics
                return s.walRestarts > restartsBefore || (s.walFrames > 0 && s.walFrames < framesWhileRead)
            }
            while !startedOver() && after < 5000 {
                let value = "after.\(after).\(filler)"
                try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", value) }
                after += 1
            }
            #expect(startedOver(), "the WAL (\(framesWhileRead) frames during the read) did not start over in \(after) writes after it")
            #expect(store.statistics.failedCheckpoints == 0)
            await store.shutdown()
        }
    }

    /// A store whose checkpointer passes every 2 ms and asks for a WAL restart at `restartFrames`.
    static func openRestarting(path: String, restartFrames: Int) async throws -> Store {
        var configuration = StoreConfiguration(migrations: itemMigrations)
        configuration.checkpointInterval = .milliseconds(2)
        configuration.walRestartFrames = restartFrames
        return try await Store.open(path: path, configuration: configuration)
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
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
            configuration.mmapBytes = 1 << 20
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
