import CSQLite

/// One SQLite connection.
///
/// Not `Sendable`: it is opened with `SQLITE_OPEN_NOMUTEX` (SQLite's "multi-thread" mode, no
/// per-connection mutex), so it must be used by one thread at a time. Inside a `Store` each
/// connection is created on, used by and closed on the thread that owns it; the closures given
/// to `Store.write` and `Store.read` receive it there.
///
/// Prepared statements are cached by SQL text (see `Database+Statements.swift`), so the same
/// `run`/`query` text is compiled once per connection.
public final class Database {
    /// `PRAGMA synchronous`; see `StoreConfiguration.synchronous` for what each costs.
    public enum Synchronous: String, Sendable {
        case off = "OFF"
        case normal = "NORMAL"
        case full = "FULL"
    }

    public enum Mode: Sendable {
        /// Read and write; the file is created if missing.
        case readWrite
        /// `SQLITE_OPEN_READONLY`: any write fails with `StoreError.Kind.readOnly`.
        case readOnly
    }

    public let path: String
    public let mode: Mode
    /// nil once closed.
    var connection: OpaquePointer?
    /// Prepared statements by SQL text.
    var statementCache: [StatementKey: Statement] = [:]
    /// What writes recorded for the open transaction, by accumulator type
    /// (`TransactionAccumulator.swift`).
    var accumulators: [ObjectIdentifier: any TransactionAccumulator] = [:]
    /// Savepoints opened by `savepoint` and not yet ended.
    var openSavepoints = 0

    /// Opens a plain connection: extended result codes on, a busy timeout, no pragmas.
    /// Use `writer(path:…)` or `reader(path:…)` for the store's configurations.
    public init(path: String, mode: Mode = .readWrite, busyTimeoutMillis: Int = 5000)
        throws(StoreError)
    {
        _ = Database.processSetup
        var flags = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            // Even on failure SQLite usually returns a handle carrying the message.
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw StoreError(resultCode: code, message: "\(message) (opening \(path))")
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeoutMillis))
        self.path = path
        self.mode = mode
        self.connection = handle
    }

    /// Process-wide SQLite settings, applied once before the first connection opens: no memory
    /// statistics (each of SQLite's allocations would otherwise take a global mutex).
    private static let processSetup: Void = {
        _ = csqlite_disable_memory_statistics()
    }()

    /// How long this connection waits for another's lock before `.busy` (`sqlite3_busy_timeout`).
    func setBusyTimeout(millis: Int) {
        sqlite3_busy_timeout(connection, Int32(clamping: millis))
    }

    /// The store's writer configuration: WAL journal, the given `synchronous`, foreign keys, a
    /// journal size limit.
    public static func writer(
        path: String, synchronous: Synchronous = .normal, busyTimeoutMillis: Int = 5000
    ) throws(StoreError) -> Database {
        let db = try Database(path: path, mode: .readWrite, busyTimeoutMillis: busyTimeoutMillis)
        let journal = try db.textValue("PRAGMA journal_mode = WAL")
        guard journal?.lowercased() == "wal" else {
            throw StoreError(
                .other, message: "could not enable WAL (journal_mode is \(journal ?? "unknown"))",
                sql: "PRAGMA journal_mode = WAL")
        }
        // After a checkpoint SQLite truncates the WAL back to 64 MiB at most; without a limit
        // it keeps its high-water size forever (readers that are always busy stop the
        // automatic checkpoint from wrapping around, so the file only grows).
        try db.execute("PRAGMA synchronous = \(synchronous.rawValue); PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 67108864")
        return db
    }

    /// The store writer's tuning on top of `writer`: statement journals (one per savepoint,
    /// i.e. per write item) and temporary tables in memory rather than in a new temp file per
    /// batch, a larger page cache, and, when a checkpointer thread runs, no automatic
    /// checkpoint inside commits.
    func tuneAsStoreWriter(cacheKiB: Int, mmapBytes: Int, automaticCheckpoints: Bool) throws(StoreError) {
        try execute("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -\(max(0, cacheKiB)); PRAGMA mmap_size = \(max(0, mmapBytes))"
            + (automaticCheckpoints ? "" : "; PRAGMA wal_autocheckpoint = 0"))
    }

    /// A store reader's tuning: page cache and memory-mapped I/O.
    func tuneAsStoreReader(cacheKiB: Int, mmapBytes: Int) throws(StoreError) {
        try execute("PRAGMA cache_size = -\(max(0, cacheKiB)); PRAGMA mmap_size = \(max(0, mmapBytes))")
    }

    /// The store's reader configuration: a read-only connection, `query_only`, foreign keys on
    /// (so any SQL the readers run behaves as on the writer). WAL lets it read beside the writer.
    public static func reader(path: String, busyTimeoutMillis: Int = 5000) throws(StoreError)
        -> Database
    {
        let db = try Database(path: path, mode: .readOnly, busyTimeoutMillis: busyTimeoutMillis)
        try db.execute("PRAGMA query_only = ON; PRAGMA foreign_keys = ON")
        return db
    }

    deinit {
        close()
    }

    /// Finalizes the cached statements and closes the connection. Later calls throw
    /// `StoreError.Kind.closed`. Closing twice is harmless.
    public func close() {
        guard let connection else { return }
        for statement in statementCache.values {
            if statement.inUse {
                statement.isCached = false  // a row closure closed us; its query finalizes it
            } else {
                statement.finalize()
            }
        }
        statementCache.removeAll()
        // close_v2 waits for statements still running (see above) instead of failing.
        sqlite3_close_v2(connection)
        self.connection = nil
    }

    public var isClosed: Bool { connection == nil }

    /// The open connection, or `.closed`.
    func handle() throws(StoreError) -> OpaquePointer {
        guard let connection else { throw StoreError.closed }
        return connection
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 {
        connection.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int {
        connection.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// True between BEGIN and COMMIT/ROLLBACK (SQLite's autocommit is off).
    public var isInTransaction: Bool {
        connection.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }
}

/// A connection belongs to one thread; it must never cross to another concurrently.
@available(*, unavailable)
extension Database: Sendable {}
