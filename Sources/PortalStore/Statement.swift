import CSQLite

/// SQLite's SQLITE_TRANSIENT (`(sqlite3_destructor_type)-1`), which Swift does not import:
/// SQLite copies the bound bytes before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement. Owned by a `Database` (cached or transient) and used only on its
/// thread. Errors carry the SQL text, never the bound values.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    /// Kept in the connection's cache (finalized on close) rather than after one use. A cached
    /// statement still running when its connection closes stops being cached, so the query
    /// finalizes it when it finishes.
    var isCached: Bool
    /// Checked out by a query that has not finished yet (its row closure may re-enter).
    var inUse = false

    /// Compiles exactly one statement; trailing statements are an error (`run` and `query`
    /// would silently ignore them).
    init(connection: OpaquePointer, sql: String, cached: Bool) throws(StoreError) {
        var prepared: OpaquePointer?
        var trailing = false
        let flags = cached ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(
                connection, text, Int32(sql.utf8.count + 1), flags, &prepared, &tail)
            if code == SQLITE_OK, let tail, tail.pointee != 0 {
                // Something follows: only whitespace and comments are allowed.
                var extra: OpaquePointer?
                if sqlite3_prepare_v3(connection, tail, -1, 0, &extra, nil) != SQLITE_OK
                    || extra != nil
                {
                    trailing = true
                }
                sqlite3_finalize(extra)
            }
            return code
        }
        guard code == SQLITE_OK else {
            throw StoreError.current(connection, sql: sql)
        }
        guard let prepared else {
            throw StoreError(.misuse, message: "the SQL text holds no statement", sql: sql)
        }
        guard !trailing else {
            sqlite3_finalize(prepared)
            throw StoreError(
                .misuse, message: "run/query take one statement; use execute for several", sql: sql)
        }
        self.handle = prepared
        self.sql = sql
        self.isCached = cached
    }

    var connection: OpaquePointer { sqlite3_db_handle(handle) }

    /// Binds `values` to the parameters in order; their count must match exactly.
    func bind(_ values: [any SQLBindable]) throws(StoreError) {
        let expected = sqlite3_bind_parameter_count(handle)
        guard values.count == Int(expected) else {
            throw StoreError(
                .misuse, message: "statement takes \(expected) values, \(values.count) given",
                sql: sql)
        }
        for (offset, value) in values.enumerated() {
            let code = bind(value.sqlValue, at: Int32(offset + 1))
            guard code == SQLITE_OK else { throw StoreError.current(connection, sql: sql) }
        }
    }

    private func bind(_ value: SQLValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let integer):
            return sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            return sqlite3_bind_double(handle, index, real)
        case .text(var string):
            return string.withUTF8 { bytes in
                // A nil pointer would bind NULL, so the empty string gets a real one.
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_text64(
                        handle, index, "", 0, sqliteTransient, UInt8(SQLITE_UTF8))
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(
                        handle, index, $0, UInt64(bytes.count), sqliteTransient,
                        UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let blob):
            return blob.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return sqlite3_bind_blob64(
                    handle, index, base, UInt64(bytes.count), sqliteTransient)
            }
        }
    }

    /// Advances; `true` when a row is available, `false` when the statement is done.
    func step() throws(StoreError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError.current(connection, sql: sql)
        }
    }

    /// Makes the statement reusable: rewinds it and drops the bound values.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func finalize() {
        sqlite3_finalize(handle)
    }
}
