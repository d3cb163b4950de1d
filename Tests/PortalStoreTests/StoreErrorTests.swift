import CSQLite
import Testing

@testable import PortalStore

@Suite("StoreError: kinds from result codes, no bound values in descriptions")
struct StoreErrorTests {
    static let schema = """
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE citizen (
            id INTEGER PRIMARY KEY,
            cnic TEXT NOT NULL UNIQUE,
            phone TEXT CHECK (length(phone) <= 13),
            parent_id INTEGER REFERENCES parent (id)
        );
        CREATE TRIGGER no_zero BEFORE INSERT ON citizen WHEN NEW.cnic = '0'
        BEGIN SELECT RAISE(ABORT, 'cnic zero'); END;
        """

    private func failure(
        _ db: Database, _ sql: String, _ values: any SQLBindable...
    ) -> StoreError? {
        do {
            try db.run(sql, bindings: values)
            return nil
        } catch {
            return error
        }
    }

    @Test func constraintViolationsMapToKinds() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute(Self.schema)
            let insert = "INSERT INTO citizen (id, cnic, phone, parent_id) VALUES (?, ?, ?, ?)"
            try db.run(insert, 1, "35202-1234567-1", "+923001234567", Int?.none)

            let unique = failure(db, insert, 2, "35202-1234567-1", "+923001234567", Int?.none)
            #expect(unique?.kind == .constraintUnique)
            #expect(unique?.resultCode == 2067)  // SQLITE_CONSTRAINT_UNIQUE

            let primaryKey = failure(db, insert, 1, "other", "1", Int?.none)
            #expect(primaryKey?.kind == .constraintUnique)
            #expect(primaryKey?.resultCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY

            let foreignKey = failure(db, insert, 3, "c3", "1", 99)
            #expect(foreignKey?.kind == .constraintForeignKey)
            #expect(foreignKey?.resultCode == 787)

            let check = failure(db, insert, 4, "c4", "+92300123456789", Int?.none)
            #expect(check?.kind == .constraintCheck)
            #expect(check?.resultCode == 275)

            let notNull = failure(db, insert, 5, String?.none, "1", Int?.none)
            #expect(notNull?.kind == .constraintNotNull)
            #expect(notNull?.resultCode == 1299)

            let trigger = failure(db, insert, 6, "0", "1", Int?.none)
            #expect(trigger?.kind == .constraintOther)
            #expect(trigger?.message == "cnic zero")
        }
    }

    @Test func descriptionHasKindMessageAndSQLButNeverBoundValues() async throws {
        try await TemporaryDirectory.with { dir in
            let db = try Database.writer(path: dir.file("db.sqlite"))
            try db.execute(Self.schema)
            let cnic = "35202-7654321-9"
            let phone = "+923331112222"
            let insert = "INSERT INTO citizen (cnic, phone) VALUES (?, ?)"
            try db.run(insert, cnic, phone)
            let errors = [
                failure(db, insert, cnic, phone),  // unique
                failure(db, insert, "61101-0000000-1", phone + "999"),  // check
                failure(db, "UPDATE citizen SET parent_id = ? WHERE cnic = ?", 12345, cnic),
            ]
            for case let error? in errors {
                let text = error.description
                #expect(text.contains("StoreError.constraint"))
                #expect(text.contains(error.message))
                #expect(text.contains(error.sql ?? "<no sql>"))
                for secret in [cnic, phone, "61101", "12345", "9233311"] {
                    #expect(!text.contains(secret), "\(text) leaks \(secret)")
                }
            }
            #expect(errors[0]?.description.contains("UNIQUE constraint failed: citizen.cnic") == true)
            #expect(errors.compactMap { $0 }.count == 3)
        }
    }

    @Test func resultCodesMapToKinds() {
        let cases: [(Int32, StoreError.Kind)] = [
            (SQLITE_BUSY, .busy), (SQLITE_LOCKED, .busy), (SQLITE_BUSY | (2 << 8), .busy),
            (SQLITE_CORRUPT, .corrupt), (SQLITE_NOTADB, .corrupt), (SQLITE_FULL, .full),
            (SQLITE_IOERR, .ioError), (SQLITE_IOERR | (10 << 8), .ioError),
            (SQLITE_CANTOPEN, .ioError), (SQLITE_READONLY, .readOnly), (SQLITE_MISUSE, .misuse),
            (SQLITE_NOTFOUND, .notFound), (SQLITE_ERROR, .other), (SQLITE_CONSTRAINT, .constraintOther),
        ]
        for (code, kind) in cases {
            #expect(StoreError.Kind(resultCode: code) == kind, "code \(code)")
        }
    }

    @Test func openingInAMissingDirectoryIsAnIOError() {
        let error = #expect(throws: StoreError.self) {
            _ = try Database(path: "/nonexistent-portal-dir/x/db.sqlite")
        }
        #expect(error?.kind == .ioError)
        #expect(error?.resultCode == SQLITE_CANTOPEN)
    }

    @Test func sqlValueDescriptionHidesContent() {
        #expect(SQLValue.text("35202-1234567-1").description == "TEXT(15 bytes)")
        #expect(SQLValue.blob([1, 2]).description == "BLOB(2 bytes)")
        #expect(SQLValue.integer(923_001_234_567).description == "INTEGER")
    }
}
