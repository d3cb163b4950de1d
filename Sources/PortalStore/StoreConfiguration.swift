/// How a `Store` opens and runs its connections.
public struct StoreConfiguration: Sendable {
    /// Reader threads, each with its own read-only connection (at least 1).
    public var readers = 4

    /// `PRAGMA synchronous` on the writer (the database is always in WAL mode).
    ///
    /// - `.normal` (default): survives process crashes, including `kill -9`. A write is
    ///   acknowledged only after its COMMIT, and a committed transaction's WAL frames are
    ///   already in the OS page cache, so they reach the file even if the process dies at
    ///   once. What NORMAL does not survive is power loss or an OS crash: the last
    ///   transactions before it may roll back (the database stays consistent, never corrupt).
    ///   The WAL is fsynced only at checkpoints.
    /// - `.full`: also fsyncs the WAL on every COMMIT, so an acknowledged write survives
    ///   power loss. Each commit costs one fsync, and that is why the store group-commits:
    ///   a batch of concurrent writes shares one COMMIT and therefore one fsync.
    /// - `.off`: no fsync at all; for tests and throwaway data only.
    public var synchronous: Database.Synchronous = .normal

    /// The most write items one group commit takes from the queue.
    public var maxBatch = 512

    /// The most write items that may wait for the writer. Beyond it `write` fails at once with
    /// `StoreError(.busy)` (the services answer UNAVAILABLE: retry later) instead of queueing
    /// without bound while latency and memory grow. The bound is checked before queueing, so
    /// concurrent writers may overshoot it by their number.
    public var maxQueuedWrites = 4096

    /// How long a connection waits for a lock held by another connection or process before
    /// failing with `.busy` (`sqlite3_busy_timeout`).
    public var busyTimeoutMillis = 5000

    /// How long the checkpointer thread lets commits accumulate before it copies the WAL back
    /// into the database file (see `Checkpointer`). `nil` leaves checkpoints to SQLite's
    /// automatic checkpoint on the writer connection, inside the commits.
    public var checkpointInterval: Duration? = .milliseconds(50)

    /// When the checkpointer finds the WAL this many frames (pages) long, it restarts it
    /// (`wal_checkpoint(RESTART)`: writers wait while it copies the frames since its last pass
    /// and the reads in flight end), so a store under steady load reuses the WAL file's first
    /// pages instead of appending to it for ever. 8,192 frames of 4 KiB pages is 32 MiB.
    public var walRestartFrames = 8192

    /// The writer connection's page cache (`PRAGMA cache_size`), in KiB.
    public var writerCacheKiB = 65_536

    /// Each reader connection's page cache, in KiB.
    public var readerCacheKiB = 16_384

    /// How much of the database file each connection, the writer and every reader, maps into
    /// memory (`PRAGMA mmap_size`) instead of copying pages with `pread`. 0 turns it off. An
    /// I/O error on a mapped page kills the process with SIGBUS instead of failing one query:
    /// on storage that can fail that way (network file systems), set 0.
    public var mmapBytes = 1 << 30

    /// Applied in order by the writer when the store opens (see `Migrator`).
    public var migrations: [Migration] = []

    public init(
        readers: Int = 4, synchronous: Database.Synchronous = .normal, maxBatch: Int = 512,
        busyTimeoutMillis: Int = 5000, migrations: [Migration] = [], maxQueuedWrites: Int = 4096
    ) {
        self.readers = readers
        self.synchronous = synchronous
        self.maxBatch = maxBatch
        self.busyTimeoutMillis = busyTimeoutMillis
        self.migrations = migrations
        self.maxQueuedWrites = maxQueuedWrites
    }
}
