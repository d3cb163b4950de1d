/// One queued read: runs on a reader thread and resumes its caller itself.
typealias ReadItem = @Sendable (Database) -> Void

extension Store {
    /// Runs `body` on a reader thread, in a read transaction on a read-only connection, and
    /// returns its result. It sees everything committed before the call (every acknowledged
    /// `write`), as one consistent snapshot, and runs beside the writer. Writes in it fail with
    /// `.readOnly`.
    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T)
        async throws -> T
    {
        try await onReader { db in try db.readTransaction { try body(db) } }
    }

    /// Queues `work` for the next free reader and suspends until it has run.
    func onReader<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<T, any Error>) in
            do {
                try readQueue.push { db in continuation.resume(with: Result { try work(db) }) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// A reader thread: opens its connection, reports, then serves reads one at a time.
    static func runReader(
        path: String, configuration: StoreConfiguration, queue: WorkQueue<ReadItem>,
        counters: StoreCounters, opened: Handoff<Void>
    ) {
        let db: Database
        do {
            db = try Database.reader(path: path, busyTimeoutMillis: configuration.busyTimeoutMillis)
            try db.tuneAsStoreReader(cacheKiB: configuration.readerCacheKiB, mmapBytes: configuration.mmapBytes)
            opened.send(.success(()))
        } catch {
            opened.send(.failure(error))
            return
        }
        while let items = queue.pop(max: 1) {
            // Counted first, so a caller that has its result also sees it counted.
            counters.update { $0.reads += items.count }
            for item in items {
                item(db)
                // Never keep a snapshot open between reads: the next read must see new commits.
                db.rollbackIfNeeded()
            }
        }
        db.close()
    }
}
