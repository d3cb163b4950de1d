import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The database engine the services use: one writer thread that group-commits, and a pool of
/// reader threads, over one SQLite file in WAL mode.
///
/// - `write` queues a closure for the writer. The writer takes everything queued (up to
///   `maxBatch`), runs it in one `BEGIN IMMEDIATE` transaction with each item in its own
///   savepoint, commits once, and only then resumes the callers. So a write is acknowledged
///   only once it is committed, concurrent writes share commits (and fsyncs) without any
///   timer, and one item's error rolls back that item alone.
/// - `read` queues a closure for the next free reader, which runs it in a read transaction on
///   its read-only connection, beside the writer. A read sees every write acknowledged before
///   it was submitted.
///
/// Callers suspend on continuations; SQLite runs only on the store's own threads, never on the
/// cooperative pool. Closures receive the thread's `Database` and must not let it escape.
public final class Store: Sendable {
    public let path: String
    public let configuration: StoreConfiguration
    /// The migrations this store applied when it opened (empty if the schema was current).
    public let appliedMigrations: [String]

    let writeQueue: WorkQueue<WriteItem>
    let readQueue: WorkQueue<ReadItem>
    let counters: StoreCounters
    private let threads: Mutex<Threads?>

    private struct Threads {
        var writer: pthread_t
        var readers: [pthread_t]
    }

    /// Opens the writer (WAL, pragmas), applies the configured migrations, then opens the
    /// readers. Blocks the calling thread until all connections are open (from async code,
    /// prefer `Store.open`). The file's directory must exist.
    /// On any failure everything opened so far is closed and the error is rethrown
    /// (migration failures have kind `.migration`).
    public init(path: String, configuration: StoreConfiguration = StoreConfiguration()) throws {
        guard configuration.readers >= 1, configuration.maxBatch >= 1 else {
            throw StoreError(.misuse, message: "readers and maxBatch must be at least 1")
        }
        let writeQueue = WorkQueue<WriteItem>()
        let readQueue = WorkQueue<ReadItem>()
        let counters = StoreCounters()

        let writerOpened = Handoff<[String]>()
        let writer = try StoreThread.spawn(name: "store-writer") {
            Store.runWriter(
                path: path, configuration: configuration, queue: writeQueue,
                counters: counters, opened: writerOpened)
        }
        let applied: [String]
        switch writerOpened.receive() {
        case .success(let names):
            applied = names
        case .failure(let error):
            StoreThread.join(writer)  // it exits as soon as it reports the failure
            throw error
        }

        var readers: [pthread_t] = []
        var failure: (any Error)?
        let opened = (0..<configuration.readers).map { _ in Handoff<Void>() }
        for (index, handoff) in opened.enumerated() {
            do {
                readers.append(
                    try StoreThread.spawn(name: "store-reader-\(index + 1)") {
                        Store.runReader(
                            path: path, configuration: configuration, queue: readQueue,
                            counters: counters, opened: handoff)
                    })
            } catch {
                failure = error
                break
            }
        }
        for handoff in opened.prefix(readers.count) {
            if case .failure(let error) = handoff.receive(), failure == nil {
                failure = error
            }
        }
        if let failure {
            readQueue.close()
            readers.forEach(StoreThread.join)
            writeQueue.close()
            StoreThread.join(writer)
            throw failure
        }

        self.path = path
        self.configuration = configuration
        self.appliedMigrations = applied
        self.writeQueue = writeQueue
        self.readQueue = readQueue
        self.counters = counters
        self.threads = Mutex(Threads(writer: writer, readers: readers))
    }

    /// `init` on a thread of its own, so the calling task suspends instead of blocking a
    /// cooperative thread while the connections open and migrations run.
    public static func open(
        path: String, configuration: StoreConfiguration = StoreConfiguration()
    ) async throws -> Store {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try StoreThread.detach(name: "store-open") {
                    continuation.resume(
                        with: Result { try Store(path: path, configuration: configuration) })
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    deinit {
        close()
    }

    /// Stops accepting work, lets the threads finish everything already queued, joins them and
    /// closes the connections (readers first, so the writer's close checkpoints the WAL).
    /// Afterwards `write`, `read` and `backup` throw `.closed`. Blocks the caller while the
    /// queues drain. A second call returns at once.
    ///
    /// Called from inside a store closure, it does not wait for that closure's own thread
    /// (which finishes its queue and exits on its own).
    public func close() {
        guard let threads = threads.withLock({ $0.take() }) else { return }
        readQueue.close()
        for reader in threads.readers {
            Self.joinUnlessCurrent(reader)
        }
        writeQueue.close()
        Self.joinUnlessCurrent(threads.writer)
    }

    /// `close()` from async code: the draining and joining happen on a thread of their own
    /// while the caller suspends, so no cooperative thread is blocked meanwhile.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            do {
                try StoreThread.detach(name: "store-close") {
                    self.close()
                    continuation.resume()
                }
            } catch {
                self.close()  // no thread to spare: close here rather than not at all
                continuation.resume()
            }
        }
    }

    private static func joinUnlessCurrent(_ thread: pthread_t) {
        if StoreThread.isCurrent(thread) {
            pthread_detach(thread)
        } else {
            StoreThread.join(thread)
        }
    }

    /// Counters since the store opened, plus the current queue depths.
    public var statistics: StoreStatistics {
        var statistics = counters.snapshot
        statistics.queuedWrites = writeQueue.count
        statistics.queuedReads = readQueue.count
        return statistics
    }
}
