import PortalRPC
import PortalServices
import PortalStore

/// The /metrics text: the RPC server's figures, the store's, the portal's (escalations) and
/// the logger's.
func exposition(server: RPCServer, gateway: HTTPGateway?, store: Store, portal: PortalMetrics, logger: Logger) -> String {
    server.metricsExposition() + (gateway?.metricsExposition() ?? "") + storeExposition(store.statistics) + portal.exposition() + loggerExposition(logger)
}

func storeExposition(_ s: StoreStatistics) -> String {
    var out = PrometheusText()
    out.single("portal_store_commits_total", type: "counter", help: "Transactions committed by the store's writer (one per group commit).", Double(s.commits))
    out.single("portal_store_writes_total", type: "counter", help: "Write items run inside committed transactions.", Double(s.writes))
    out.single("portal_store_failed_writes_total", type: "counter", help: "Write items whose body threw.", Double(s.failedWrites))
    out.single("portal_store_failed_batches_total", type: "counter", help: "Batches whose BEGIN or COMMIT failed.", Double(s.failedBatches))
    out.single("portal_store_replayed_batches_total", type: "counter",
               help: "Batches rolled back and run again with a savepoint per write because one write failed.", Double(s.replayedBatches))
    out.single("portal_store_checkpoints_total", type: "counter", help: "WAL checkpoints run by the store's checkpointer thread.", Double(s.checkpoints))
    out.single("portal_store_failed_checkpoints_total", type: "counter", help: "WAL checkpoints that failed (retried after the next commit).", Double(s.failedCheckpoints))
    out.single("portal_store_wal_restarts_total", type: "counter", help: "Times the writer started a long WAL over between two batches.", Double(s.walRestarts))
    out.single("portal_store_deferred_wal_restarts_total", type: "counter", help: "WAL restarts put off because a read held its snapshot past the writer's wait.", Double(s.deferredWALRestarts))
    out.single("portal_store_wal_frames", type: "gauge", help: "Frames in the write-ahead log at the checkpointer's last pass (4 KiB each).", Double(s.walFrames))
    out.single("portal_store_reads_total", type: "counter", help: "Read items run by the store's readers.", Double(s.reads))
    out.single("portal_store_queued_writes", type: "gauge", help: "Write items waiting for the writer now.", Double(s.queuedWrites))
    out.single("portal_store_queued_reads", type: "gauge", help: "Read items waiting for a reader now.", Double(s.queuedReads))
    out.header("portal_store_commit_batch_size", type: "histogram", help: "Write items per group commit.")
    var cumulative = 0
    for (bound, n) in zip(StoreStatistics.batchSizeBucketBounds, s.batchSizes) {
        cumulative += n
        let le = bound == Int.max ? "+Inf" : String(bound)
        out.sample("portal_store_commit_batch_size_bucket", labels: ["le": le], Double(cumulative))
    }
    out.sample("portal_store_commit_batch_size_sum", Double(s.writes))
    out.sample("portal_store_commit_batch_size_count", Double(s.commits))
    return out.text
}

func loggerExposition(_ logger: Logger) -> String {
    var out = PrometheusText()
    out.single("portal_log_dropped_lines_total", type: "counter",
               help: "Log lines lost because the log output was too slow or failed.", Double(logger.droppedLines))
    return out.text
}
