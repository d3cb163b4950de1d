import Testing

@testable import PortalStore

@Suite("Database: statements, bindings, rows, statement cache")
struct DatabaseTests {
    @Test func everyBindableRoundTrips() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute("CREATE TABLE v (n INTEGER PRIMARY KEY, x)")  // x: no affinity
            let values: [any SQLBindable] = [
                42, Int64.max, Int64.min, Int32.min, UInt32.max, 1.5, true, false,
                "", "héllo ✓ 🇵🇰", "a\u{0}b", [UInt8](), [0, 1, 255] as [UInt8],
                Int?.none, String?.some("opt"), SQLValue.real(-0.25), SQLValue.null,
            ]
            for value in values {
                try db.run("INSERT INTO v (x) VALUES (?)", value)
            }
            let stored = try db.query("SELECT x FROM v ORDER BY n") { $0.value(0) }
            #expect(
                stored == [
                    .integer(42), .integer(.max), .integer(.min), .integer(Int64(Int32.min)),
                    .integer(Int64(UInt32.max)), .real(1.5), .integer(1), .integer(0),
                    .text(""), .text("héllo ✓ 🇵🇰"), .text("a\u{0}b"), .blob([]), .blob([0, 1, 255]),
                    .null, .text("opt"), .real(-0.25), .null,
                ])
            // Empty text and blob are values, not NULL.
            let nulls = try db.query("SELECT x IS NULL FROM v ORDER BY n") { $0.bool(0) }
            #expect(nulls.enumerated().filter { $0.element }.map(\.offset) == [13, 16])
        }
    }

    @Test func rowAccessorsAndNulls() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            let row = try db.queryOne(
                "SELECT 7 AS i, 2.5 AS d, 'txt' AS t, x'0102' AS b, NULL AS n", []
            ) { row in
                (
                    row.columnCount, row.columnName(2), row.int(0), row.double(1), row.text(2),
                    row.blob(3), row.isNull(4), row.optionalInt(4), row.optionalText(4),
                    row.optionalDouble(4), row.optionalBlob(4), row.int(4), row.text(4),
                    row.optionalInt(0)
                )
            }
            let r = try #require(row)
            #expect(r.0 == 5 && r.1 == "t" && r.2 == 7 && r.3 == 2.5 && r.4 == "txt")
            #expect(r.5 == [1, 2] && r.6 && r.7 == nil && r.8 == nil && r.9 == nil && r.10 == nil)
            #expect(r.11 == 0 && r.12 == "" && r.13 == 7)
            #expect(try db.queryOne("SELECT 1 WHERE 0") { $0.int(0) } == nil)
        }
    }

    @Test func runReportsChangesAndRowID() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute(
                """
                CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
                -- a comment between statements
                INSERT INTO t (v) VALUES (1), (2), (3);
                """)
            #expect(try db.run("INSERT INTO t (v) VALUES (?)", 4) == 1)
            #expect(db.lastInsertRowID == 4)
            #expect(try db.run("UPDATE t SET v = v + ? WHERE v >= ?", 10, 2) == 3)
            #expect(try db.run("DELETE FROM t", bindings: []) == 4)
        }
    }

    @Test func executeNamesTheFailingStatement() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            let error = #expect(throws: StoreError.self) {
                try db.execute("CREATE TABLE a (x); INSERT INTO missing VALUES (1); CREATE TABLE b (x)")
            }
            #expect(error?.sql == "INSERT INTO missing VALUES (1)")
            #expect(error?.message == "no such table: missing")
            // Statements before the failure ran; those after did not.
            #expect(try db.query("SELECT name FROM sqlite_schema ORDER BY name") { $0.text(0) } == ["a"])
        }
    }

    @Test func runAndQueryTakeExactlyOneStatement() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute("CREATE TABLE t (v)")
            let several = #expect(throws: StoreError.self) {
                try db.run("INSERT INTO t VALUES (1); DELETE FROM t")
            }
            #expect(several?.kind == .misuse)
            #expect(try db.query("SELECT count(*) FROM t") { $0.int(0) } == [0])
            // Trailing semicolons, whitespace and comments are fine.
            try db.run("INSERT INTO t VALUES (?);  -- done\n", 1)
            let empty = #expect(throws: StoreError.self) { try db.run("  -- nothing ") }
            #expect(empty?.kind == .misuse)
        }
    }

    @Test func bindingCountMustMatch() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute("CREATE TABLE t (a, b)")
            let tooFew = #expect(throws: StoreError.self) {
                try db.run("INSERT INTO t VALUES (?, ?)", "35202-1234567-1")
            }
            #expect(tooFew?.kind == .misuse)
            #expect(tooFew?.description.contains("35202") == false)
            // The statement is still usable after the failed bind.
            #expect(try db.run("INSERT INTO t VALUES (?, ?)", 1, 2) == 1)
        }
    }

    @Test func statementsAreCachedByText() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database(path: dir.file("db.sqlite"))
            try db.execute("CREATE TABLE t (v INTEGER)")
            #expect(db.cachedStatementCount == 0)  // execute does not cache
            for i in 0..<100 {
                try db.run("INSERT INTO t (v) VALUES (?)", i)
            }
            #expect(db.cachedStatementCount == 1)
            let sum = try db.queryOne("SELECT sum(v) FROM t") { $0.int(0) }
            #expect(sum == 4950)
            #expect(db.cachedStatementCount == 2)
            // A failed step leaves the cached statement reusable.
            try db.execute("CREATE UNIQUE INDEX t_v ON t (v)")
            #expect(throws: StoreError.self) { try db.run("INSERT INTO t (v) VALUES (?)", 5) }
            try db.run("INSERT INTO t (v) VALUES (?)", 100)
            #expect(db.cachedStatementCount == 2)
        }
    }

    /// The cache hashes a text by its length and ends only: texts alike in those still get
    /// their own statements, and a text built at run time finds the literal's statement.
    @Test func textsAlikeAtBothEndsAreDifferentStatements() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database(path: dir.file("db.sqlite"))
            let head = "SELECT /* a comment long enough to fill the first 32 bytes */ "
            let tail = " AS v /* and another one, long enough for the last 32 bytes */"
            var values: [Int64] = []
            for middle in ["101", "202", "303", "202"] {
                values.append(try db.queryOne(head + middle + tail) { $0.int(0) } ?? -1)
            }
            #expect(values == [101, 202, 303, 202])
            #expect(db.cachedStatementCount == 3)
            let literal = try db.queryOne("SELECT 7 AS v") { $0.int(0) }
            let built = try db.queryOne(["SELECT", "7", "AS", "v"].joined(separator: " ")) { $0.int(0) }
            #expect(literal == 7 && built == 7 && db.cachedStatementCount == 4)
        }
    }

    @Test func rowClosureMayRerunItsOwnQuery() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database(path: dir.file("db.sqlite"))
            try db.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)")
            let sql = "SELECT v FROM t WHERE v >= ? ORDER BY v"
            let pairs = try db.query(sql, [1]) { row in
                let v = row.int(0)
                return try db.query(sql, [v]) { $0.int(0) }.count
            }
            #expect(pairs == [3, 2, 1])
            #expect(db.cachedStatementCount == 1)
        }
    }

    @Test func cacheEvictsIdleStatementsAtItsLimit() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database(path: dir.file("db.sqlite"))
            for i in 0..<(Database.statementCacheLimit + 10) {
                _ = try db.queryOne("SELECT \(i)") { $0.int(0) }
            }
            #expect(db.cachedStatementCount <= Database.statementCacheLimit)
        }
    }

    @Test func closedDatabaseThrowsClosed() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database(path: dir.file("db.sqlite"))
            try db.run("CREATE TABLE t (v)")
            db.close()
            db.close()
            #expect(db.isClosed)
            let error = #expect(throws: StoreError.self) { try db.run("SELECT 1") }
            #expect(error?.kind == .closed)
        }
    }

    @Test func writerUsesWALAndReaderIsReadOnly() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir.file("db.sqlite")
            let writer = try Database.writer(path: path, synchronous: .full)
            #expect(try writer.queryOne("PRAGMA journal_mode") { $0.text(0) } == "wal")
            #expect(try writer.queryOne("PRAGMA synchronous") { $0.int(0) } == 2)
            #expect(try writer.queryOne("PRAGMA foreign_keys") { $0.int(0) } == 1)
            try writer.execute("CREATE TABLE t (v)")
            let reader = try Database.reader(path: path)
            #expect(try reader.queryOne("PRAGMA foreign_keys") { $0.int(0) } == 1)
            let error = #expect(throws: StoreError.self) { try reader.run("INSERT INTO t VALUES (1)") }
            #expect(error?.kind == .readOnly)
        }
    }
}
