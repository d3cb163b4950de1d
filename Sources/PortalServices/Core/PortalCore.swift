import PortalModel
import PortalRPC
import PortalSecurity
import PortalStore
import Synchronization

/// The shared dependencies of every portal service: the store, the in-memory directory of
/// jurisdictions and categories, the clock, password hashing, SMS, rate limits and the
/// update hub. One per server.
public final class PortalCore: Sendable {
    public let configuration: PortalConfiguration
    public let store: Store
    public let directory: Directory
    public let clock: any PortalClock
    public let hasher: PasswordHasher
    public let sms: any SMSGateway
    public let hub: UpdateHub
    /// The portal's own figures for /metrics (escalations).
    public let metrics = PortalMetrics()
    /// Where the services log (store failures, escalation scans); nil logs nothing.
    public let logger: Logger?
    /// The movable clock of a development server (`devMode`), else nil.
    let devClock: AdjustableClock?
    let accountLimiter: RateLimiter
    let peerLimiter: RateLimiter
    private let policy: Mutex<EscalationPolicy>
    /// Threads for the services' own file work (the backups folder, attachment files), which
    /// may block on the disk: handlers await it (`onFileThread`), so it never runs on an event
    /// loop or a cooperative thread.
    let files = BlockingWorkerPool(name: "portal-files", threads: 2, maxQueued: 256)

    init(configuration: PortalConfiguration, store: Store, directory: Directory, clock: any PortalClock,
         hasher: PasswordHasher, sms: any SMSGateway, policy: EscalationPolicy, logger: Logger? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.directory = directory
        self.clock = clock
        self.devClock = configuration.devMode ? clock as? AdjustableClock : nil
        self.hasher = hasher
        self.sms = sms
        self.hub = UpdateHub()
        self.accountLimiter = RateLimiter(
            policy: .init(maxFailures: configuration.loginMaxFailuresPerAccount, windowMillis: configuration.loginWindowMillis),
            clock: clock)
        self.peerLimiter = RateLimiter(
            policy: .init(maxFailures: configuration.loginMaxFailuresPerPeer, windowMillis: configuration.loginWindowMillis),
            clock: clock)
        self.policy = Mutex(policy)
    }

    deinit {
        files.shutdown()
    }

    public var escalationPolicy: EscalationPolicy {
        get { policy.withLock { $0 } }
    }

    func setEscalationPolicy(_ p: EscalationPolicy) { policy.withLock { $0 = p } }

    func now() -> Int64 { clock.nowMillis() }

    /// Runs blocking file work (open, write, fsync, rename, mkdir, stat) on `files` and
    /// returns its result; the calling task suspends meanwhile. A full queue is UNAVAILABLE.
    func onFileThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws(PortalError) -> T {
        do {
            return try await files.run(work)
        } catch is BlockingWorkerPool.Rejection {
            throw .unavailable("the server is busy; try again")
        } catch is CancellationError {
            throw .unavailable("the call was cancelled")
        } catch {
            throw PortalError(error)
        }
    }

    /// Cleanup (closing and removing a file) on `files`, awaited; with the queue full, the pool
    /// shut down or the task cancelled it runs here instead, rather than leak the descriptor.
    func fileWorkOrHere(_ work: @escaping @Sendable () -> Void) async {
        do { try await files.run(work) } catch { work() }
    }

    /// Runs `body` in a write transaction, mapping any failure to a `PortalError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PortalError) -> T {
        do { return try await store.write(body) } catch { throw failure(error) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PortalError) -> T {
        do { return try await store.read(body) } catch { throw failure(error) }
    }

    /// The `PortalError` for a failed store call. A failure of the store itself (not a domain
    /// error thrown by the body) is logged, with the request id of the call it served: the
    /// caller only sees "store error" or "store unavailable". A `StoreError` holds SQLite's
    /// message and the SQL text, never bound values, so the line carries no personal data.
    /// Levels: error behind an INTERNAL; warn behind an UNAVAILABLE (I/O, disk full, closed);
    /// debug for `busy`, which is mostly a full write queue shedding load (one line per shed
    /// write would flood the log; metrics count those calls as UNAVAILABLE).
    private func failure(_ error: any Error) -> PortalError {
        let mapped = PortalError(error)
        guard let logger else { return mapped }
        if let e = error as? StoreError {
            let level: LogLevel = if case .internalError = mapped { .error } else if e.kind == .busy { .debug } else { .warn }
            logger.log(level, "store call failed", ["error": .string(e.description)])
        } else if case .internalError = mapped, !(error is PortalError) {
            // Some other error inside a transaction: its type only (its text might quote input).
            logger.log(.error, "store call failed", ["error_type": .string(String(reflecting: type(of: error)))])
        }
        return mapped
    }
}
