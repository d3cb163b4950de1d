import CSQLite

/// An error from the store: SQLite's (extended) result code and message, the SQL text that
/// failed, and a coarse `Kind` to switch on.
///
/// It never holds bound values: statements carry citizens' data (CNICs, phone numbers) only
/// in their bindings, so an error can be logged or returned whole without leaking them.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A UNIQUE or PRIMARY KEY constraint failed.
        case constraintUnique
        case constraintForeignKey
        case constraintCheck
        case constraintNotNull
        /// Any other constraint (trigger RAISE, rowid, ...).
        case constraintOther
        /// The database stayed locked past the busy timeout (SQLITE_BUSY / SQLITE_LOCKED).
        case busy
        /// The file is corrupt or not a database.
        case corrupt
        /// The disk (or the database's size limit) is full.
        case full
        /// An I/O error, or the file could not be opened.
        case ioError
        /// A write through a read-only connection (every `Store.read` connection is one).
        case readOnly
        /// The API was used wrongly (several statements given to `run`, nested transactions...).
        case misuse
        /// Something expected is absent (SQLITE_NOTFOUND, or an application-level lookup).
        case notFound
        /// Migrations could not be applied, or the database knows a migration the code does not.
        case migration
        /// The store has been closed.
        case closed
        case other
    }

    public var kind: Kind
    /// SQLite's extended result code, or 0 for errors that did not come from SQLite.
    public var resultCode: Int32
    /// SQLite's message (e.g. "UNIQUE constraint failed: citizen.cnic"), or the store's own.
    public var message: String
    /// The SQL text of the failing statement, with `?` placeholders (never the bound values).
    public var sql: String?

    public init(_ kind: Kind, message: String, resultCode: Int32 = 0, sql: String? = nil) {
        self.kind = kind
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    /// An error for an SQLite result code; the kind is derived from the code.
    public init(resultCode: Int32, message: String, sql: String? = nil) {
        self.init(Kind(resultCode: resultCode), message: message, resultCode: resultCode, sql: sql)
    }

    /// The kind, SQLite's code and message, and the SQL text. Never bound values.
    public var description: String {
        var text = "StoreError.\(kind)"
        if resultCode != 0 {
            text += " (SQLite \(resultCode): \(String(cString: sqlite3_errstr(resultCode))))"
        }
        text += ": \(message)"
        if let sql {
            text += " [SQL: \(sql)]"
        }
        return text
    }

    static let closed = StoreError(.closed, message: "the store is closed")
}
