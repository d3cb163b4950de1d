import Testing

@testable import PortalStore

@Suite("Migrator: named, forward-only, prefix-checked")
struct MigratorTests {
    static let a = Migration("001 create a", sql: "CREATE TABLE a (x)")
    static let b = Migration("002 create b", sql: "CREATE TABLE b (y)")
    static let c = Migration("003 seed a") { db in
        try db.run("INSERT INTO a (x) VALUES (?)", "seeded")
    }

    private func tables(_ db: Database) throws -> [String] {
        try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") {
            $0.text(0)
        }
    }

    @Test func appliesPendingMigrationsInOrderOnce() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            #expect(try Migrator([Self.a, Self.b]).migrate(db) == ["001 create a", "002 create b"])
            #expect(try Migrator([Self.a, Self.b]).migrate(db) == [])
            #expect(try Migrator([Self.a, Self.b, Self.c]).migrate(db) == ["003 seed a"])
            #expect(try tables(db) == ["a", "b", "schema_migrations"])
            #expect(try db.query("SELECT x FROM a") { $0.text(0) } == ["seeded"])
            let recorded = try db.query(
                "SELECT name, applied_at FROM schema_migrations ORDER BY rowid"
            ) { ($0.text(0), $0.int(1)) }
            #expect(recorded.map(\.0) == ["001 create a", "002 create b", "003 seed a"])
            #expect(recorded.allSatisfy { $0.1 > 1_700_000_000 })
            #expect(try Migrator([Self.a, Self.b, Self.c]).appliedMigrations(db).count == 3)
        }
    }

    @Test func unknownMigrationInDatabaseIsAnError() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try Migrator([Self.a, Self.b, Self.c]).migrate(db)
            // Older code against a newer database.
            let error = #expect(throws: StoreError.self) { try Migrator([Self.a, Self.b]).migrate(db) }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("003 seed a") == true)
        }
    }

    @Test func renamedMigrationIsAnError() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try Migrator([Self.a, Self.b]).migrate(db)
            let renamed = Migration("002 create b v2", sql: "CREATE TABLE b2 (y)")
            let error = #expect(throws: StoreError.self) { try Migrator([Self.a, renamed]).migrate(db) }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("002 create b") == true)
            #expect(try !tables(db).contains("b2"))
        }
    }

    @Test func reorderedListIsAnError() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try Migrator([Self.a, Self.b]).migrate(db)
            let error = #expect(throws: StoreError.self) { try Migrator([Self.b, Self.a]).migrate(db) }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("001 create a") == true)
        }
    }

    @Test func failingMigrationRollsBackAndIsNotRecorded() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            let bad = Migration("002 broken", sql: "CREATE TABLE half (z); INSERT INTO nowhere VALUES (1)")
            let error = #expect(throws: StoreError.self) { try Migrator([Self.a, bad, Self.b]).migrate(db) }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("002 broken") == true)
            #expect(error?.sql == "INSERT INTO nowhere VALUES (1)")
            #expect(try tables(db) == ["a", "schema_migrations"])
            #expect(try Migrator([Self.a]).appliedMigrations(db) == ["001 create a"])
            #expect(!db.isInTransaction)
        }
    }

    @Test func duplicateNamesAreRejected() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            let error = #expect(throws: StoreError.self) { try Migrator([Self.a, Self.a]).migrate(db) }
            #expect(error?.kind == .migration)
            #expect(error?.message.contains("registered twice") == true)
            #expect(try tables(db) == [])  // checked before the database is touched
        }
    }
}
