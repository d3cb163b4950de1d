import CSQLite

/// Transactions and savepoints.
///
/// Inside `Store.write` the body already runs in the batch's transaction (and its own
/// savepoint), so it uses `savepoint` for nested all-or-nothing steps; `transaction` there is
/// a `.misuse` error. Bodies must not run BEGIN, COMMIT or ROLLBACK themselves.
extension Database {
    /// Runs `body` in `BEGIN IMMEDIATE … COMMIT` (the write lock is taken at BEGIN, so a busy
    /// database fails early, not at the first write). Any error rolls back and is rethrown;
    /// a failing COMMIT rolls back too.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw StoreError(
                .misuse, message: "transaction() inside a transaction; use savepoint()")
        }
        try run("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try flushAccumulators()
            try run("COMMIT")
            return result
        } catch {
            rollbackIfNeeded()
            throw error
        }
    }

    /// Runs `body` in a named savepoint: on error only its changes are undone (the enclosing
    /// transaction stays open) and the error is rethrown. Outside a transaction it behaves
    /// like a deferred transaction. Transaction accumulators follow it: what was recorded
    /// inside is kept or dropped with the savepoint's changes.
    @discardableResult
    public func savepoint<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let quoted = Self.quoteIdentifier(name)
        let outermost = !isInTransaction
        try run("SAVEPOINT \(quoted)")
        openSavepoints += 1
        for accumulator in accumulators.values { accumulator.savepointBegan() }
        var levelOpen = true
        func endLevel(kept: Bool) {
            levelOpen = false
            openSavepoints -= 1
            for accumulator in accumulators.values { accumulator.savepointEnded(kept: kept) }
        }
        do {
            let result = try body()
            endLevel(kept: true)
            if outermost { try flushAccumulators() }
            try run("RELEASE \(quoted)")
            return result
        } catch {
            if levelOpen { endLevel(kept: false) }
            // If SQLite already rolled the whole transaction back (SQLITE_FULL, IOERR...) the
            // savepoint is gone with it and there is nothing left to undo.
            if isInTransaction {
                _ = try? run("ROLLBACK TO \(quoted)")
                _ = try? run("RELEASE \(quoted)")
            }
            if outermost || !isInTransaction { discardAccumulators() }
            throw error
        }
    }

    /// Runs `body` in a deferred read transaction, so all its queries see one snapshot
    /// (the one current at its first read).
    @discardableResult
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else { return try body() }
        try run("BEGIN DEFERRED")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            rollbackIfNeeded()
            throw error
        }
    }

    /// Rolls back the open transaction, if any; errors are ignored (there is nothing better
    /// to do with them while already handling one).
    func rollbackIfNeeded() {
        if isInTransaction {
            _ = try? run("ROLLBACK")
        }
        discardAccumulators()
    }

    /// `name` as an SQL identifier: double-quoted, inner quotes doubled.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false)
            .joined(separator: "\"\"") + "\""
    }
}
