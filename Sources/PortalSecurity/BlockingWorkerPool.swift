#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A small, fixed set of OS threads for blocking work (password hashing, file writes), so that
/// work never occupies an event loop thread or one of Swift's cooperative threads.
///
/// Jobs wait in a bounded FIFO queue guarded by a `Mutex`; a counting semaphore plays the
/// role of the condition variable (one post per job, one per thread at shutdown). Async
/// callers suspend on a continuation that the worker resumes. A caller cancelled while its
/// job is still queued gets `CancellationError` without the work being done.
///
/// The threads hold a reference to the pool until `shutdown()` lets them finish the queue
/// and exit; the owner (`PasswordHasher`, `OutboxSMSGateway`, `PortalCore`) calls `shutdown()`
/// from its `deinit`.
public final class BlockingWorkerPool: @unchecked Sendable {
    // @unchecked: `state` is a Mutex and `semaphore` a sem_t, which is thread-safe by design;
    // the remaining stored properties are immutable.
    public typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var stopped = false
    }

    /// Why a job was not queued.
    public enum Rejection: Error, Sendable {
        /// `maxQueued` jobs are already waiting.
        case overloaded
        /// `shutdown()` has been called.
        case shutDown
    }

    public let name: String
    public let threadCount: Int
    public let maxQueued: Int
    private let state = Mutex(State())
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    /// Starts `threads` detached worker threads.
    public init(name: String, threads: Int, maxQueued: Int) {
        precondition(threads > 0 && maxQueued > 0, "a pool needs at least one thread and one queue slot")
        self.name = name
        self.threadCount = threads
        self.maxQueued = maxQueued
        sem_init(semaphore, 0, 0)
        for _ in 0..<threads { startThread() }
    }

    deinit {
        // Reached only after every worker has exited (each holds a strong reference).
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Jobs waiting for a thread (not counting those running).
    public var queuedCount: Int { state.withLock { $0.jobs.count } }

    /// Queues `job` to run on a worker thread.
    public func submit(_ job: @escaping Job) throws(Rejection) {
        try state.withLock { state throws(Rejection) in
            if state.stopped { throw .shutDown }
            if state.jobs.count >= maxQueued { throw .overloaded }
            state.jobs.append(job)
        }
        sem_post(semaphore)
    }

    /// Runs `work` on a worker thread and returns its result; the calling task suspends
    /// meanwhile. Throws `Rejection` if the job cannot be queued, `CancellationError` if the
    /// task is cancelled before a worker picks the job up, or whatever `work` throws.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                do {
                    try submit {
                        if cancelled.isSet {
                            continuation.resume(throwing: CancellationError())
                        } else {
                            continuation.resume(with: Result { try work() })
                        }
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Stops accepting jobs; workers finish what is queued, then exit. Idempotent.
    public func shutdown() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        for _ in 0..<threadCount { sem_post(semaphore) }
    }

    private func startThread() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { raw in
            let pool = Unmanaged<BlockingWorkerPool>.fromOpaque(raw!).takeRetainedValue()
            pool.work()
            return nil
        }, box)
        if result != 0 {
            Unmanaged<BlockingWorkerPool>.fromOpaque(box).release()
            fatalError("\(name): pthread_create failed (\(result))")
        }
    }

    /// A worker's loop: wait for a post, take the oldest job, run it; exit once stopped and
    /// the queue is empty.
    private func work() {
        while true {
            while sem_wait(semaphore) != 0 && errno == EINTR {}
            let next = state.withLock { state -> (job: Job?, stopped: Bool) in
                if state.jobs.isEmpty { return (nil, state.stopped) }
                // At most `maxQueued` (a few hundred) entries: removeFirst is cheap next to
                // the milliseconds each job takes, and releases the job's closure at once.
                return (state.jobs.removeFirst(), state.stopped)
            }
            if let job = next.job {
                job()
            } else if next.stopped {
                return
            }
        }
    }
}

/// Set once by a task's cancellation handler, read by the worker before starting the job.
private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
