import CSQLite

/// Extended result codes, spelled out: the C macros are shifts that Swift does not import.
enum SQLiteCode {
    static let constraintCheck = SQLITE_CONSTRAINT | (1 << 8)
    static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintNotNull = SQLITE_CONSTRAINT | (5 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
}

extension StoreError.Kind {
    /// Maps an SQLite (extended or primary) result code to a kind.
    public init(resultCode: Int32) {
        switch resultCode & 0xFF {
        case SQLITE_CONSTRAINT:
            switch resultCode {
            case SQLiteCode.constraintUnique, SQLiteCode.constraintPrimaryKey:
                self = .constraintUnique
            case SQLiteCode.constraintForeignKey: self = .constraintForeignKey
            case SQLiteCode.constraintCheck: self = .constraintCheck
            case SQLiteCode.constraintNotNull: self = .constraintNotNull
            default: self = .constraintOther
            }
        case SQLITE_BUSY, SQLITE_LOCKED: self = .busy
        case SQLITE_CORRUPT, SQLITE_NOTADB: self = .corrupt
        case SQLITE_FULL: self = .full
        case SQLITE_IOERR, SQLITE_CANTOPEN: self = .ioError
        case SQLITE_READONLY: self = .readOnly
        case SQLITE_MISUSE: self = .misuse
        case SQLITE_NOTFOUND: self = .notFound
        default: self = .other
        }
    }
}

extension StoreError {
    /// The error a connection reports right now (`sqlite3_extended_errcode` and `sqlite3_errmsg`).
    static func current(_ connection: OpaquePointer?, sql: String? = nil) -> StoreError {
        let code = connection.map { sqlite3_extended_errcode($0) } ?? SQLITE_NOMEM
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
        return StoreError(resultCode: code, message: message, sql: sql)
    }
}
