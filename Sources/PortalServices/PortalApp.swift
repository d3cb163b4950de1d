import PortalModel
import PortalRPC
import PortalSecurity
import PortalStore
#if canImport(Glibc)
import Glibc
#endif

/// The whole portal behind one router: opens (or creates) the data folder, migrates and seeds
/// the store, creates the bootstrap admin on first start, and registers the citizen, officer
/// and admin services. `portal-server` and the end-to-end tests both start it this way.
public final class PortalApp: Sendable {
    public let core: PortalCore
    /// Set on the first start only: the bootstrap admin's username and one-time password.
    public let bootstrapAdmin: (username: String, password: String)?
    private let escalationTask: Task<Void, Never>?

    public static let bootstrapAdminUsername = "admin"

    /// `logger` receives the services' lines (store failures, escalations); nil logs nothing.
    /// Throws if the data folder, seed or store cannot be opened, or if
    /// `configuration.escalationOverride` makes the stored policy invalid.
    public init(configuration: PortalConfiguration, clock: any PortalClock = SystemClock(),
                sms: (any SMSGateway)? = nil, runEscalation: Bool = true, logger: Logger? = nil) async throws {
        for dir in [configuration.dataDirectory, configuration.attachmentsDirectory] {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw PortalError.unavailable("cannot create \(dir): errno \(errno)")
            }
        }
        let seed = try SeedData.load(path: configuration.seedFile)
        var storeConfiguration = configuration.store
        storeConfiguration.migrations = PortalMigrations.all
        let store = try Store(path: configuration.databasePath, configuration: storeConfiguration)
        let defaults = configuration.escalation
        let override = configuration.escalationOverride
        let startedAt = clock.nowMillis()
        let (snapshot, policy, needsAdmin) = try await store.write { db in
            try seed.apply(db)
            let needsAdmin = try db.queryOne("SELECT count(*) FROM staff WHERE role = 6", [], { $0.int(0) }) == 0
            let policy = try Self.applyEscalationOverride(override, db, defaults: defaults, at: startedAt)
            return (try Directory.load(db), policy, needsAdmin)
        }
        let directory = Directory()
        directory.replace(snapshot)
        let core = PortalCore(configuration: configuration, store: store, directory: directory, clock: clock,
                              hasher: PasswordHasher(), sms: sms ?? OutboxSMSGateway(path: configuration.smsOutboxPath), policy: policy,
                              logger: logger)
        self.core = core
        // The dummy hash behind sign-ins for unknown accounts, made now on the hasher's threads.
        try await core.hasher.prepare()

        if needsAdmin {
            if let chosen = configuration.bootstrapAdminPassword {
                // The operator's choice must meet the same policy as everyone's.
                try PortalValidation.password(chosen, field: "PORTAL_ADMIN_PASSWORD", cnic: nil, mobile: nil)
            }
            let password = configuration.bootstrapAdminPassword ?? StaffAccounts.oneTimePassword()
            let hash = try await core.hashPassword(password)
            let province = seed.province.code
            let now = core.now()
            try await core.write { db in
                try db.run("INSERT INTO staff (username, name, role, jurisdiction_code, designation, password_hash, created_at) VALUES (?, 'Administrator', 6, ?, 'Bootstrap administrator', ?, ?)",
                           Self.bootstrapAdminUsername, province, hash, now)
                try AuditLog.append(db, at: now, actor: nil, action: "staff.bootstrap_admin", target: "staff:\(db.lastInsertRowID)")
            }
            bootstrapAdmin = (Self.bootstrapAdminUsername, password)
        } else {
            bootstrapAdmin = nil
        }
        escalationTask = runEscalation ? Task.detached { await Escalator(core: core).run() } : nil
    }

    public var escalator: Escalator { Escalator(core: core) }

    /// The stored escalation policy with the operator's fixed settings applied. A change is
    /// validated, saved and audited (no actor: the configuration did it); an unchanged policy
    /// writes nothing, so restarts with the same configuration leave no trace.
    static func applyEscalationOverride(_ override: EscalationPolicy.Override, _ db: Database,
                                        defaults: EscalationPolicy, at now: Int64) throws -> EscalationPolicy {
        let stored = try EscalationPolicy.load(db, defaults: defaults)
        let policy = override.applied(to: stored)
        guard policy != stored else { return stored }
        do {
            try policy.validate()
        } catch {
            throw PortalError.invalidArgument(field: "escalation settings",
                                              reason: "the configured values with the stored policy (\(stored.auditDetail)) give \(policy.auditDetail): \(error.rpcError.message)")
        }
        try EscalationPolicy.save(policy, db)
        try AuditLog.append(db, at: now, actor: nil, action: "escalation_policy.set", target: "escalation",
                            detail: policy.auditDetail + " source=configuration")
        return policy
    }

    /// Registers CitizenService, OfficerService, AdminService, InfoService, EServicesService and IntegrationService.
    public func registerServices(with router: inout RPCRouter) {
        CitizenServiceHandler(core: core).registerMethods(with: &router)
        OfficerServiceHandler(core: core).registerMethods(with: &router)
        AdminServiceHandler(core: core).registerMethods(with: &router)
        InfoServiceHandler(core: core).registerMethods(with: &router)
        EServicesServiceHandler(core: core).registerMethods(with: &router)
        IntegrationServiceHandler(core: core).registerMethods(with: &router)
    }

    /// Ends watch streams and the escalation scheduler, then closes the store.
    public func shutdown() async {
        escalationTask?.cancel()
        core.hub.close()
        await core.store.shutdown()
    }
}
