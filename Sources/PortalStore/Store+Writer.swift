#if canImport(Glibc)
import Glibc
#endif

/// One queued write: runs on the writer thread inside the batch transaction, and is told the
/// batch's fate afterwards.
struct WriteItem: Sendable {
    /// Runs the body, in its own savepoint if `isolated`; returns how it went and how to resume
    /// its caller. May be called again (isolated) when its batch is replayed.
    let perform: @Sendable (_ db: Database, _ isolated: Bool) -> WriteOutcome
    /// Resumes the caller with `error` without running the body (the batch could not begin).
    let reject: @Sendable (any Error) -> Void
}

/// What one item did, held by the writer until its batch commits or fails.
struct WriteOutcome {
    /// The body's error (its savepoint was rolled back), or nil if it succeeded.
    let error: (any Error)?
    /// Resumes the caller: nil when the batch committed, else the batch's error. An item
    /// whose body failed always gets its own error.
    let finish: (_ batchError: (any Error)?) -> Void
}

extension Store {
    /// Name of the savepoint around each item inside a group commit.
    static let itemSavepoint = "portal_store_item"

    /// Runs `body` on the writer thread in the next group commit and returns its result once
    /// that transaction has committed.
    ///
    /// The body runs inside a transaction shared with other writes. If it throws, only its
    /// changes are undone and the error comes back here; the others still commit. If the
    /// COMMIT itself fails (e.g. a deferred foreign key), every write of the batch gets that
    /// error and none of them is persisted. Nested all-or-nothing steps inside the body use
    /// `db.savepoint`; it must not run BEGIN/COMMIT/ROLLBACK itself.
    ///
    /// **The body may run more than once**, so it must do nothing but database work (no I/O,
    /// no notifications, no counting outside the database), and its result is the one of the
    /// run that commits. A batch first runs its writes one after another with no savepoint
    /// each (a savepoint copies every page a write touches to the statement journal: 15 % of
    /// FileComplaint's throughput). If one of them throws, the whole batch is rolled back and
    /// run again with each write in its own savepoint, which gives every write its own fate as
    /// described above. `StoreStatistics.replayedBatches` counts those replays.
    ///
    /// Once queued, a write runs even if the calling task is cancelled (it may already be part
    /// of a batch); check cancellation before calling if that matters.
    ///
    /// With `maxQueuedWrites` items already waiting, it throws `StoreError(.busy)` at once
    /// without queueing (overload is shed, not queued without bound).
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
        async throws -> T
    {
        if writeQueue.count >= configuration.maxQueuedWrites {
            throw StoreError(
                .busy,
                message: "the write queue is full (\(configuration.maxQueuedWrites) waiting); retry later")
        }
        return try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<T, any Error>) in
            let item = WriteItem(
                perform: { db, isolated in
                    let result = Result {
                        isolated ? try db.savepoint(Store.itemSavepoint) { try body(db) } : try body(db)
                    }
                    switch result {
                    case .success(let value):
                        return WriteOutcome(error: nil) { batchError in
                            if let batchError {
                                continuation.resume(throwing: batchError)
                            } else {
                                continuation.resume(returning: value)
                            }
                        }
                    case .failure(let error):
                        return WriteOutcome(error: error) { _ in
                            continuation.resume(throwing: error)
                        }
                    }
                },
                reject: { continuation.resume(throwing: $0) })
            do {
                try writeQueue.push(item)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// The writer thread: opens and migrates, reports, then group-commits until closed.
    static func runWriter(
        path: String, configuration: StoreConfiguration, queue: WorkQueue<WriteItem>,
        counters: StoreCounters, opened: Handoff<[String]>
    ) {
        let db: Database
        do {
            db = try Database.writer(
                path: path, synchronous: configuration.synchronous,
                busyTimeoutMillis: configuration.busyTimeoutMillis)
            try db.tuneAsStoreWriter(
                cacheKiB: configuration.writerCacheKiB, mmapBytes: configuration.mmapBytes,
                automaticCheckpoints: configuration.checkpointInterval == nil)
            let applied = try Migrator(configuration.migrations).migrate(db)
            opened.send(.success(applied))
        } catch {
            opened.send(.failure(error))
            return
        }
        let checkpointer = configuration.checkpointInterval.map {
            Checkpointer(interval: $0, restartFrames: Int64(max(1, configuration.walRestartFrames)))
        }
        var checkpointThread: pthread_t?
        if let checkpointer {
            // Without the thread, SQLite's automatic checkpoint takes over again.
            checkpointThread = try? StoreThread.spawn(name: "store-checkpoint") {
                checkpointer.run(path: path, configuration: configuration, counters: counters)
            }
            if checkpointThread == nil { try? db.execute("PRAGMA wal_autocheckpoint = 1000") }
        }
        while let batch = queue.pop(max: configuration.maxBatch) {
            if let checkpointer, checkpointThread != nil, checkpointer.takeRestartRequest() {
                checkpointer.restartEnded(done: restartWAL(db, counters: counters, busyTimeoutMillis: configuration.busyTimeoutMillis))
            }
            if groupCommit(batch, on: db, counters: counters), checkpointThread != nil {
                checkpointer?.noteCommit()
            }
        }
        // Stop the checkpointer before the writer's close runs the final checkpoint.
        if let checkpointThread {
            checkpointer?.close()
            StoreThread.join(checkpointThread)
        }
        db.close()
    }

    /// On the writer, between batches: copies the frames the checkpointer has not copied yet,
    /// waits for the reads still using the WAL, and leaves the WAL to start over at the next
    /// commit (see `Checkpointer.takeRestartRequest`). Reads in flight normally end within a
    /// millisecond; one that does not (a long query, an online backup) must not hold up every
    /// write, so the wait is capped at `restartWaitMillis`. If the restart could not finish (that,
    /// or the checkpointer's own pass was running) the WAL is as it was and the checkpointer asks
    /// again once the WAL has grown by another `walRestartFrames`.
    static func restartWAL(_ db: Database, counters: StoreCounters, busyTimeoutMillis: Int) -> Bool {
        db.setBusyTimeout(millis: min(restartWaitMillis, busyTimeoutMillis))
        defer { db.setBusyTimeout(millis: busyTimeoutMillis) }
        do {
            let busy = try db.queryOne("PRAGMA wal_checkpoint(RESTART)") { $0.int(0) }
            guard busy == 0 else {
                counters.update { $0.deferredWALRestarts += 1 }
                return false
            }
            counters.update { $0.walRestarts += 1 }
            return true
        } catch {
            counters.update { $0.failedCheckpoints += 1 }
            return false
        }
    }

    /// The longest the writer waits for reads in flight when it restarts the WAL.
    static let restartWaitMillis = 50

    /// The error for the items of a batch whose transaction ended inside one of its bodies.
    static func transactionLost(cause: (any Error)?) -> StoreError {
        let prefix = "the batch transaction ended during another write, so this one was rolled back"
        guard let cause = cause as? StoreError else {
            return StoreError(.misuse, message: prefix + " (a body ran COMMIT or ROLLBACK?)")
        }
        return StoreError(
            cause.kind, message: prefix + ": " + cause.message, resultCode: cause.resultCode,
            sql: cause.sql)
    }

    /// Runs `items` in one transaction (more than one only if a body ended the transaction),
    /// then resumes their callers. Returns whether anything was committed.
    ///
    /// Each transaction first runs its items without savepoints. If an item throws or ends the
    /// transaction, it is rolled back and its items run again, each in its own savepoint, so
    /// the failure stays with its item.
    @discardableResult
    static func groupCommit(_ items: [WriteItem], on db: Database, counters: StoreCounters) -> Bool {
        var committed = false
        var next = 0
        var isolated = false
        while next < items.count {
            do {
                try db.run("BEGIN IMMEDIATE")
            } catch {
                for item in items[next...] { item.reject(error) }
                counters.update { $0.failedBatches += 1 }
                return committed
            }
            let start = next
            var outcomes: [WriteOutcome] = []
            outcomes.reserveCapacity(items.count - next)
            var batchError: (any Error)?
            var replay = false
            while next < items.count {
                let outcome = items[next].perform(db, isolated)
                next += 1
                if !isolated && (outcome.error != nil || !db.isInTransaction) {
                    replay = true
                    break
                }
                outcomes.append(outcome)
                if !db.isInTransaction {
                    // SQLite rolled the transaction back (I/O error, disk full...) or the body
                    // ended it: the earlier items are not committed either.
                    batchError = Self.transactionLost(cause: outcome.error)
                    break
                }
            }
            if replay {
                // Nobody has been resumed yet: undo the batch and run it again, isolated.
                db.rollbackIfNeeded()
                counters.update { $0.replayedBatches += 1 }
                next = start
                isolated = true
                continue
            }
            if batchError == nil {
                do {
                    try db.flushAccumulators()
                    try db.run("COMMIT")
                } catch {
                    batchError = error
                    db.rollbackIfNeeded()
                }
            }
            if batchError == nil {
                let failed = outcomes.count(where: { $0.error != nil })
                counters.update { $0.recordCommit(items: outcomes.count, failed: failed) }
                committed = true
            } else {
                db.discardAccumulators()
                counters.update { $0.failedBatches += 1 }
            }
            for outcome in outcomes {
                outcome.finish(batchError)
            }
        }
        return committed
    }
}
