import CSQLite

/// Running SQL, and the statement cache behind `run` and `query`.
///
/// Every `run`/`query` text is prepared once (`SQLITE_PREPARE_PERSISTENT`) and kept by its
/// exact text; after each use it is reset and its bindings cleared, and the cache is finalized
/// when the connection closes. Put values in `?` bindings, never in the text: that keeps the
/// cache small, keeps citizens' data out of error messages, and prevents injection.
extension Database {
    /// The cache stops growing here: when full, the statements not in use are finalized
    /// (only SQL built dynamically, e.g. variable `IN (?, ?, …)` lists, should get near it).
    static let statementCacheLimit = 256

    /// Runs one or more statements separated by `;`, without bindings (schema, pragmas).
    /// Rows they return are ignored. Not cached.
    public func execute(_ sql: String) throws(StoreError) {
        let connection = try handle()
        // One C copy of the whole text; walk it statement by statement through the tail.
        let text = Array(sql.utf8CString)
        try text.withUnsafeBufferPointer { (buffer) throws(StoreError) in
            var cursor = buffer.baseAddress!
            while cursor.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(connection, cursor, -1, &statement, &tail)
                guard code == SQLITE_OK else {
                    throw StoreError.current(connection, sql: Self.firstStatement(of: cursor))
                }
                guard let statement else { break }  // only whitespace or comments were left
                defer { sqlite3_finalize(statement) }
                var step = sqlite3_step(statement)
                while step == SQLITE_ROW { step = sqlite3_step(statement) }
                guard step == SQLITE_DONE else {
                    throw StoreError.current(
                        connection, sql: Self.trimmed(String(cString: sqlite3_sql(statement))))
                }
                guard let tail else { break }
                cursor = tail
            }
        }
    }

    /// The text of the first complete statement in `text` (for naming one that failed to
    /// compile), without surrounding whitespace or its semicolon.
    static func firstStatement(of text: UnsafePointer<CChar>) -> String {
        let bytes = Array(String(cString: text).utf8)
        for index in bytes.indices where bytes[index] == UInt8(ascii: ";") {
            let prefix = String(decoding: bytes[...index], as: UTF8.self)
            if sqlite3_complete(prefix) != 0 {
                return trimmed(String(decoding: bytes[..<index], as: UTF8.self))
            }
        }
        return trimmed(String(decoding: bytes, as: UTF8.self))
    }

    static func trimmed(_ sql: String) -> String {
        guard let first = sql.firstIndex(where: { !$0.isWhitespace }),
            let last = sql.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(sql[first...last])
    }

    /// Runs one statement with `values` bound to its `?` parameters; returns the number of rows
    /// it changed.
    @discardableResult
    public func run(_ sql: String, _ values: any SQLBindable...) throws(StoreError) -> Int {
        try run(sql, bindings: values)
    }

    /// `run` with the values as an array.
    @discardableResult
    public func run(_ sql: String, bindings values: [any SQLBindable]) throws(StoreError) -> Int {
        let statement = try checkOut(sql)
        defer { checkIn(statement) }
        try statement.bind(values)
        while try statement.step() {}
        return changes
    }

    /// Runs one query and maps every row. The row closure may itself use the connection
    /// (even with the same SQL text).
    public func query<T>(
        _ sql: String, _ values: [any SQLBindable] = [], _ row: (borrowing Row) throws -> T
    ) throws -> [T] {
        var results: [T] = []
        try forEachRow(sql, values) { results.append(try row($0)) }
        return results
    }

    /// The first row mapped, or nil when the query returns none.
    public func queryOne<T>(
        _ sql: String, _ values: [any SQLBindable] = [], _ row: (borrowing Row) throws -> T
    ) throws -> T? {
        let statement = try checkOut(sql)
        defer { checkIn(statement) }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return try row(Row(statement.handle))
    }

    /// Calls `body` for each row without collecting them.
    public func forEachRow(
        _ sql: String, _ values: [any SQLBindable] = [], _ body: (borrowing Row) throws -> Void
    ) throws {
        let statement = try checkOut(sql)
        defer { checkIn(statement) }
        try statement.bind(values)
        while try statement.step() {
            try body(Row(statement.handle))
        }
    }

    /// The first column of the first row as text (pragmas), with a typed error.
    func textValue(_ sql: String) throws(StoreError) -> String? {
        let statement = try checkOut(sql)
        defer { checkIn(statement) }
        guard try statement.step() else { return nil }
        return Row(statement.handle).optionalText(0)
    }

    /// Number of statements in the cache (for tests and diagnostics).
    public var cachedStatementCount: Int { statementCache.count }

    /// The cached statement for `sql`, or a one-off statement if the cached one is in use
    /// further up the stack (a row closure re-running its own query).
    func checkOut(_ sql: String) throws(StoreError) -> Statement {
        let connection = try handle()
        if let cached = statementCache[StatementKey(sql)] {
            if !cached.inUse {
                cached.inUse = true
                return cached
            }
            return try Statement(connection: connection, sql: sql, cached: false)
        }
        if statementCache.count >= Self.statementCacheLimit {
            evictIdleStatements()
        }
        let statement = try Statement(connection: connection, sql: sql, cached: true)
        statement.inUse = true
        statementCache[StatementKey(sql)] = statement
        return statement
    }

    /// Returns a statement after use: reset and unbound (cached), or finalized (one-off).
    func checkIn(_ statement: Statement) {
        guard statement.isCached else {
            statement.finalize()
            return
        }
        statement.reset()
        statement.inUse = false
    }

    private func evictIdleStatements() {
        for (key, statement) in statementCache where !statement.inUse {
            statement.finalize()
            statementCache[key] = nil
        }
    }
}
