/// The rules every escalation policy must meet, and the operator's fixed settings
/// (portal-server flags or config file) that replace the stored policy at start-up.
extension EscalationPolicy {
    /// Division escalation 1-365 days after filing, province escalation after it and at most
    /// 730 days, at most 10 reopenings. Errors name the AdminService field.
    public func validate() throws(PortalError) {
        guard (1...365).contains(divisionAfterDays) else {
            throw PortalError.invalidArgument(field: "division_after_days", reason: "must be 1 to 365")
        }
        guard provinceAfterDays > divisionAfterDays, provinceAfterDays <= 730 else {
            throw PortalError.invalidArgument(field: "province_after_days", reason: "must be after division_after_days and at most 730")
        }
        guard (0...10).contains(maxReopens) else {
            throw PortalError.invalidArgument(field: "max_reopens", reason: "must be 0 to 10")
        }
    }

    /// Settings fixed by the operator. A set field replaces the stored value when the portal
    /// starts (the change is saved and audited, so GetEscalationPolicy reports it); an admin
    /// may still change the policy at run time, until the next start applies these again.
    /// Unset fields keep the stored value (or the default, if none was ever stored).
    public struct Override: Sendable, Equatable {
        public var divisionAfterDays: Int?
        public var provinceAfterDays: Int?
        public var maxReopens: Int?

        public init(divisionAfterDays: Int? = nil, provinceAfterDays: Int? = nil, maxReopens: Int? = nil) {
            self.divisionAfterDays = divisionAfterDays
            self.provinceAfterDays = provinceAfterDays
            self.maxReopens = maxReopens
        }

        public var isEmpty: Bool { divisionAfterDays == nil && provinceAfterDays == nil && maxReopens == nil }

        public func applied(to policy: EscalationPolicy) -> EscalationPolicy {
            EscalationPolicy(divisionAfterDays: divisionAfterDays ?? policy.divisionAfterDays,
                             provinceAfterDays: provinceAfterDays ?? policy.provinceAfterDays,
                             maxReopens: maxReopens ?? policy.maxReopens)
        }
    }

    /// `division=15 province=22 reopens=2`, as the audit log records a policy.
    var auditDetail: String { "division=\(divisionAfterDays) province=\(provinceAfterDays) reopens=\(maxReopens)" }
}
