import Synchronization
import Testing

@testable import PortalStore

/// Counters recorded by writes and written once per transaction, in step with savepoints.
@Suite("Store: transaction accumulators")
struct TransactionAccumulatorTests {
    static let migrations = [
        Migration("totals", sql: "CREATE TABLE total (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    ]

    /// How many times a connection's `Totals` were written (each write is one flush).
    final class Flushes: Sendable {
        let count = Atomic<Int>(0)
        var value: Int { count.load(ordering: .relaxed) }
    }

    typealias Totals = TransactionCounters<String>

    static func add(_ db: Database, _ key: String, _ n: Int64 = 1, flushes: Flushes = Flushes()) throws {
        try db.accumulate(Totals.self, make: { Totals(openSavepoints: $0) { try write($0, $1, flushes) } }) { $0.add(n, to: key) }
    }

    static func write(_ db: Database, _ totals: [String: Int64], _ flushes: Flushes) throws {
        flushes.count.add(1, ordering: .relaxed)
        for (key, n) in totals {
            try db.run("INSERT INTO total VALUES (?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n", key, n)
        }
    }

    static func totals(_ db: Database) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try db.query("SELECT key, n FROM total") { ($0.text(0), $0.int(1)) })
    }

    func withDatabase(_ body: (Database) throws -> Void) async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database(path: dir.file("totals.sqlite"))
            defer { db.close() }
            try Migrator(Self.migrations).migrate(db)
            try body(db)
        }
    }

    @Test func aTransactionWritesItsCountsOnceAtCommit() async throws {
        try await withDatabase { db in
            let flushes = Flushes()
            try db.transaction {
                for _ in 0..<5 { try Self.add(db, "a", flushes: flushes) }
                try Self.add(db, "b", 2)
                #expect(try Self.totals(db) == [:], "nothing is written before the commit")
            }
            #expect(try Self.totals(db) == ["a": 5, "b": 2])
            #expect(flushes.value == 1)
        }
    }

    @Test func aRolledBackSavepointTakesItsCountsWithIt() async throws {
        try await withDatabase { db in
            try db.transaction {
                try Self.add(db, "a")
                _ = try? db.savepoint("inner") {
                    try Self.add(db, "a", 10)
                    try db.savepoint("innermost") { try Self.add(db, "c", 100) }
                    throw TestFailure(tag: "undo")
                }
                try db.savepoint("kept") {
                    try Self.add(db, "a", 2)
                    _ = try? db.savepoint("undone") {
                        try Self.add(db, "b", 7)
                        throw TestFailure(tag: "undo")
                    }
                }
            }
            #expect(try Self.totals(db) == ["a": 3])
        }
    }

    @Test func aRolledBackTransactionLeavesNothingBehind() async throws {
        try await withDatabase { db in
            _ = try? db.transaction {
                try Self.add(db, "a", 5)
                throw TestFailure(tag: "undo")
            }
            try db.transaction { try Self.add(db, "a") }
            #expect(try Self.totals(db) == ["a": 1])
        }
    }

    @Test func outsideATransactionACountIsWrittenAtOnce() async throws {
        try await withDatabase { db in
            try Self.add(db, "a", 4)
            #expect(try Self.totals(db) == ["a": 4])
            // An outermost savepoint is a transaction of its own: written before its release.
            try db.savepoint("alone") { try Self.add(db, "a") }
            #expect(try Self.totals(db) == ["a": 5])
        }
    }

    /// A group commit writes its items' counts once, before its COMMIT; a failed item's
    /// counts go with its savepoint.
    @Test func aGroupCommitWritesItsItemsCountsOnce() async throws {
        try await TemporaryDirectory.with { dir in
            let store = try Store(
                path: dir.file("store.sqlite"),
                configuration: StoreConfiguration(readers: 1, migrations: Self.migrations))
            defer { store.close() }
            let gate = Gate()
            let held = Task { try await store.write { _ in gate.pass() } }
            defer { gate.open() }
            try await waitUntil("the writer is held") { gate.isEntered }
            let flushes = Flushes()
            let writes = (0..<20).map { i in
                Task {
                    try await store.write { db in
                        try Self.add(db, i % 2 == 0 ? "even" : "odd", flushes: flushes)
                        if i == 7 { throw TestFailure(tag: "item 7") }
                    }
                }
            }
            try await waitUntil("twenty writes are queued") { store.statistics.queuedWrites == 20 }
            gate.open()
            try await held.value
            for (i, write) in writes.enumerated() {
                let error = await errorOf { try await write.value }
                #expect((error as? TestFailure) == (i == 7 ? TestFailure(tag: "item 7") : nil))
            }
            #expect(try await store.read { db in try Self.totals(db) } == ["even": 10, "odd": 9])
            #expect(flushes.value == 1, "one batch, one write of the counts")
        }
    }
}
