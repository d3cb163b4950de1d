import Testing

@testable import PortalStore

@Suite("Database: transactions and savepoints")
struct TransactionTests {
    private func open(_ dir: TemporaryDirectory) throws -> Database {
        let db = try Database.writer(path: dir.file("db.sqlite"))
        try db.execute("CREATE TABLE t (v TEXT UNIQUE)")
        return db
    }

    private func values(_ db: Database) throws -> [String] {
        try db.query("SELECT v FROM t ORDER BY v") { $0.text(0) }
    }

    @Test func transactionCommitsOrRollsBack() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try open(dir)
            let result = try db.transaction {
                try db.run("INSERT INTO t VALUES (?)", "a")
                #expect(db.isInTransaction)
                return 7
            }
            #expect(result == 7 && !db.isInTransaction)
            #expect(throws: TestFailure(tag: "stop")) {
                try db.transaction {
                    try db.run("INSERT INTO t VALUES (?)", "b")
                    throw TestFailure(tag: "stop")
                }
            }
            #expect(!db.isInTransaction)
            #expect(try values(db) == ["a"])
        }
    }

    @Test func savepointUndoesOnlyItsOwnChanges() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try open(dir)
            try db.transaction {
                try db.run("INSERT INTO t VALUES (?)", "outer")
                let inner = #expect(throws: StoreError.self) {
                    try db.savepoint("step \"one\"") {
                        try db.run("INSERT INTO t VALUES (?)", "inner")
                        try db.run("INSERT INTO t VALUES (?)", "outer")  // unique violation
                    }
                }
                #expect(inner?.kind == .constraintUnique)
                #expect(db.isInTransaction)
                try db.savepoint("two") { try db.run("INSERT INTO t VALUES (?)", "kept") }
            }
            #expect(try values(db) == ["kept", "outer"])
        }
    }

    @Test func savepointOutsideTransactionCommitsOnRelease() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try open(dir)
            try db.savepoint("solo") { try db.run("INSERT INTO t VALUES (?)", "x") }
            #expect(!db.isInTransaction)
            #expect(try values(db) == ["x"])
        }
    }

    @Test func nestedTransactionIsMisuse() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try open(dir)
            let error = #expect(throws: StoreError.self) {
                try db.transaction {
                    try db.run("INSERT INTO t VALUES (?)", "a")
                    try db.transaction {}
                }
            }
            #expect(error?.kind == .misuse)
            #expect(try values(db).isEmpty)
        }
    }

    @Test func failedCommitRollsBack() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute(
                """
                CREATE TABLE p (id INTEGER PRIMARY KEY);
                CREATE TABLE c (p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);
                """)
            let error = #expect(throws: StoreError.self) {
                try db.transaction { try db.run("INSERT INTO c VALUES (?)", 5) }
            }
            #expect(error?.kind == .constraintForeignKey)
            #expect(!db.isInTransaction)
            #expect(try db.queryOne("SELECT count(*) FROM c") { $0.int(0) } == 0)
        }
    }
}
