/// Counters of a `Store` since it opened, for metrics. A snapshot; read it again for fresh
/// values.
public struct StoreStatistics: Sendable, Hashable {
    /// Upper bounds of the batch-size buckets: 1, 2–4, 5–16, 17–64, 65–256, 257+.
    public static let batchSizeBucketBounds = [1, 4, 16, 64, 256, Int.max]
    /// Labels of the batch-size buckets, in order.
    public static let batchSizeBucketLabels = ["1", "2-4", "5-16", "17-64", "65-256", "257+"]

    /// Transactions committed by the writer (one per group commit).
    public var commits = 0
    /// Write items that ran inside a committed transaction (including those that threw and
    /// were rolled back to their savepoint).
    public var writes = 0
    /// Write items whose body threw (each got its own error; its neighbours committed).
    public var failedWrites = 0
    /// Batches whose BEGIN or COMMIT failed (every item in them got the error).
    public var failedBatches = 0
    /// Batches rolled back and run again with every write in its own savepoint, because one
    /// of their writes failed when they ran without (see `Store.write`).
    public var replayedBatches = 0
    /// The most items one commit has held.
    public var largestBatch = 0
    /// Committed batches per size bucket (see `batchSizeBucketBounds`).
    public var batchSizes = [Int](repeating: 0, count: 6)
    /// WAL checkpoints run by the checkpointer thread (see `StoreConfiguration.checkpointInterval`).
    public var checkpoints = 0
    /// Checkpoints that failed (the WAL keeps its frames; the next one retries).
    public var failedCheckpoints = 0
    /// Checkpoints that restarted a long WAL (see `StoreConfiguration.walRestartFrames`).
    public var walRestarts = 0
    /// WAL restarts put off because a read (or a checkpoint pass) was still using the WAL
    /// after `Store.restartWaitMillis`; the checkpointer asks again once the WAL has grown by
    /// another `StoreConfiguration.walRestartFrames`.
    public var deferredWALRestarts = 0
    /// Frames in the WAL at the checkpointer's last pass (it falls when the WAL starts over,
    /// by a restart or because SQLite found it all copied back with no reader on it).
    public var walFrames = 0
    /// Read items run by the readers.
    public var reads = 0
    /// Write items waiting for the writer now.
    public var queuedWrites = 0
    /// Read items waiting for a reader now.
    public var queuedReads = 0

    public init() {}

    mutating func recordCommit(items: Int, failed: Int) {
        commits += 1
        writes += items
        failedWrites += failed
        largestBatch = max(largestBatch, items)
        let bucket = Self.batchSizeBucketBounds.firstIndex { items <= $0 }!
        batchSizes[bucket] += 1
    }
}
