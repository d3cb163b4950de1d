import Foundation
import Synchronization
import Testing

@testable import PortalStore

@Suite("Store: threads, reads, lifecycle, backup")
struct StoreTests {
    @Test func opensMigratesAndReopens() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            #expect(store.appliedMigrations == ["create item"])
            try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "kept") }
            store.close()

            let again = try await Store.open(
                path: dir.file("store.sqlite"),
                configuration: StoreConfiguration(readers: 1, migrations: itemMigrations))
            #expect(again.appliedMigrations == [])
            #expect(try await itemValues(again) == ["kept"])
            again.close()
        }
    }

    @Test func aReadSeesEveryAcknowledgedWrite() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir, readers: 3)
            defer { store.close() }
            for i in 1...50 {
                let id = try await store.write { db in
                    try db.run("INSERT INTO item (value) VALUES (?)", "v\(i)")
                    return db.lastInsertRowID
                }
                #expect(id == Int64(i))
                let count = try await store.read { db in
                    try db.queryOne("SELECT count(*) FROM item") { $0.int(0) }
                }
                #expect(count == Int64(i))
            }
            #expect(store.statistics.reads == 50)
        }
    }

    @Test func closuresRunOnTheStoreThreads() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir, readers: 2)
            defer { store.close() }
            #expect(try await store.write { _ in StoreThread.currentName } == "store-writer")
            let readerNames = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.read { _ in StoreThread.currentName } }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(readerNames.isSubset(of: ["store-reader-1", "store-reader-2"]))
        }
    }

    @Test func readsRunBesideABusyWriter() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "old") }
            let gate = Gate()
            defer { gate.open() }  // on every path, or close() would wait for the held writer forever
            let held = Task {
                try await store.write { db in
                    try db.run("INSERT INTO item (value) VALUES (?)", "uncommitted")
                    gate.pass()
                }
            }
            try await waitUntil("the writer holds its transaction") { gate.isEntered }
            // The writer is mid-transaction with the write lock; readers are not blocked and
            // do not see the uncommitted row.
            #expect(try await itemValues(store) == ["old"])
            gate.open()
            try await held.value
            #expect(try await itemValues(store) == ["old", "uncommitted"])
        }
    }

    @Test func readersAreReadOnly() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            let error = await errorOf {
                try await store.read { db in try db.run("INSERT INTO item (value) VALUES (?)", "x") }
            }
            #expect((error as? StoreError)?.kind == .readOnly)
            #expect(try await itemValues(store) == [])
        }
    }

    @Test func closeDrainsQueuedWorkThenRejects() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            let gate = Gate()
            defer { gate.open() }  // also when an expectation below throws
            let first = Task { try await store.write { _ in gate.pass() } }
            try await waitUntil("the writer is held") { gate.isEntered }
            let queued = (0..<5).map { i in
                Task {
                    try await store.write { db in
                        try db.run("INSERT INTO item (value) VALUES (?)", "q\(i)")
                    }
                }
            }
            try await waitUntil("five writes are queued") { store.statistics.queuedWrites == 5 }

            // close() blocks while draining, so it runs on a thread of its own.
            let closed = Atomic<Bool>(false)
            let closer = Thread {
                store.close()
                closed.store(true, ordering: .sequentiallyConsistent)
            }
            closer.start()
            try await Task.sleep(for: .milliseconds(20))
            let closedEarly = closed.load(ordering: .sequentiallyConsistent)
            #expect(!closedEarly, "close() returned before the queued writes ran")
            gate.open()
            try await first.value
            for task in queued { _ = try await task.value }
            try await waitUntil("close returns") { closed.load(ordering: .sequentiallyConsistent) }

            for error in [
                await errorOf { try await store.write { _ in } },
                await errorOf { try await store.read { _ in } },
                await errorOf { try await store.backup(to: dir.file("late.sqlite")) },
            ] {
                #expect((error as? StoreError)?.kind == .closed)
            }
            store.close()  // again: harmless

            // Readers closed first, so the writer's close checkpointed and removed the WAL.
            #expect(!FileManager.default.fileExists(atPath: dir.file("store.sqlite-wal")))
            let db = try Database(path: dir.file("store.sqlite"), mode: .readOnly)
            #expect(try db.queryOne("SELECT count(*) FROM item") { $0.int(0) } == 5)
        }
    }

    @Test func failingMigrationFailsInitAndLeavesNothingRunning() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir.file("store.sqlite")
            let broken = itemMigrations + [Migration("broken", sql: "ALTER TABLE nowhere ADD x")]
            let error = #expect(throws: StoreError.self) {
                _ = try Store(path: path, configuration: StoreConfiguration(migrations: broken))
            }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("broken") == true)
            // The first migration committed; a fixed list opens the same file.
            let store = try Store(path: path, configuration: StoreConfiguration(migrations: itemMigrations))
            #expect(store.appliedMigrations == [])
            store.close()
        }
    }

    @Test func missingDirectoryFailsInit() {
        let error = #expect(throws: StoreError.self) {
            _ = try Store(path: "/nonexistent-portal-dir/store.sqlite", configuration: StoreConfiguration())
        }
        #expect(error?.kind == .ioError)
    }

    @Test func backupCopiesACommittedSnapshot() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try openStore(dir)
            defer { store.close() }
            for i in 0..<20 {
                try await store.write { db in try db.run("INSERT INTO item (value) VALUES (?)", "b\(i)") }
            }
            let target = dir.file("backup.sqlite")
            try await store.backup(to: target)
            try await store.backup(to: target)  // replaces an existing file
            #expect(!FileManager.default.fileExists(atPath: target + ".partial"))

            let copy = try Database(path: target, mode: .readOnly)
            #expect(try copy.queryOne("SELECT count(*) FROM item") { $0.int(0) } == 20)
            #expect(try Migrator(itemMigrations).pendingMigrations(copy).isEmpty)
            #expect(try copy.queryOne("PRAGMA integrity_check") { $0.text(0) } == "ok")
        }
    }

    @Test func invalidConfigurationIsRejected() async throws {
        try await TemporaryDirectory.with { dir in
            let error = #expect(throws: StoreError.self) {
                _ = try Store(path: dir.file("s.sqlite"), configuration: StoreConfiguration(readers: 0))
            }
            #expect(error?.kind == .misuse)
        }
    }
}
