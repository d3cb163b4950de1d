import PortalStore

/// Everything a deployment may tune; the defaults are the embedded development setup.
public struct PortalConfiguration: Sendable {
    /// Holds `portal.sqlite`, `attachments/` and the SMS outbox.
    public var dataDirectory: String = "data"
    public var store = StoreConfiguration()

    /// Session tokens expire this long after sign-in.
    public var sessionLifetimeMillis: Int64 = 30 * Millis.day
    /// SMS verification codes.
    public var codeLifetimeMillis: Int64 = 10 * Millis.minute
    public var codeMaxAttempts = 5
    public var codeResendCooldownMillis: Int64 = Millis.minute
    public var codeMaxSends = 5
    /// Failed sign-ins per account (and per peer address) within `loginWindowMillis` before
    /// further attempts are refused for the rest of the window.
    public var loginMaxFailuresPerAccount = 5
    public var loginMaxFailuresPerPeer = 50
    public var loginWindowMillis: Int64 = 15 * Millis.minute

    /// Attachments: per-kind size caps and how many one complaint may carry.
    public var maxPhotoBytes: UInt64 = 10 << 20
    public var maxAudioBytes: UInt64 = 20 << 20
    public var maxVideoBytes: UInt64 = 100 << 20
    public var maxAttachmentsPerComplaint = 10

    /// Defaults for the escalation policy (the admin can change it at run time).
    public var escalation = EscalationPolicy()
    /// Escalation settings the operator fixed (portal-server flags or config file): they
    /// replace the stored policy at start-up (see `EscalationPolicy.Override`).
    public var escalationOverride = EscalationPolicy.Override()
    /// How often the escalation scan runs.
    public var escalationScanIntervalMillis: Int64 = Millis.minute

    /// Development mode: AdminService.AdvanceClock may move the clock (needs an
    /// `AdjustableClock`). Never on a production server.
    public var devMode = false

    /// Bootstrap admin's one-time password; generated and printed once when nil.
    public var bootstrapAdminPassword: String?
    /// The jurisdiction/category seed (JSON); the bundled Khyber Pakhtunkhwa file when nil.
    public var seedFile: String?

    public init() {}

    public var databasePath: String { dataDirectory + "/portal.sqlite" }
    public var attachmentsDirectory: String { dataDirectory + "/attachments" }
    public var smsOutboxPath: String { dataDirectory + "/sms-outbox.log" }
}

/// When unresolved complaints move up the hierarchy.
public struct EscalationPolicy: Sendable, Equatable {
    public var divisionAfterDays: Int = 15
    public var provinceAfterDays: Int = 22
    public var maxReopens: Int = 2
    public init(divisionAfterDays: Int = 15, provinceAfterDays: Int = 22, maxReopens: Int = 2) {
        self.divisionAfterDays = divisionAfterDays
        self.provinceAfterDays = provinceAfterDays
        self.maxReopens = maxReopens
    }
}
