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
    /// The movable clock of a development server (`devMode`), else nil.
    let devClock: AdjustableClock?
    let accountLimiter: RateLimiter
    let peerLimiter: RateLimiter
    private let policy: Mutex<EscalationPolicy>

    init(configuration: PortalConfiguration, store: Store, directory: Directory, clock: any PortalClock,
         hasher: PasswordHasher, sms: any SMSGateway, policy: EscalationPolicy) {
        self.configuration = configuration
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

    public var escalationPolicy: EscalationPolicy {
        get { policy.withLock { $0 } }
    }

    func setEscalationPolicy(_ p: EscalationPolicy) { policy.withLock { $0 = p } }

    func now() -> Int64 { clock.nowMillis() }

    /// Runs `body` in a write transaction, mapping any failure to a `PortalError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PortalError) -> T {
        do { return try await store.write(body) } catch { throw PortalError(error) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(PortalError) -> T {
        do { return try await store.read(body) } catch { throw PortalError(error) }
    }
}
