import PortalModel
import PortalRPC
import PortalStore

/// `portal.v1.AdminService`: reference data, staff, escalation policy, blocking citizens and
/// the audit log. Admin role only; every change is audited in its own transaction.
public struct AdminServiceHandler: Portal_V1_AdminService_Handler {
    let core: PortalCore
    var auth: Authenticator { Authenticator(core: core) }

    public init(core: PortalCore) { self.core = core }

    private func admin(_ context: RPCServerContext) async throws(PortalError) -> Principal {
        .staff(try await auth.staff(context, roles: [.admin]))
    }

    public func upsertJurisdiction(request: Portal_V1_UpsertJurisdictionRequest, context: RPCServerContext) async throws -> Portal_V1_Jurisdiction {
        let actor = try await admin(context)
        var j = request.jurisdiction ?? Portal_V1_Jurisdiction()
        j.code = try ReferenceCodes.jurisdiction(j.code)
        j.name = try PortalValidation.text(j.name, field: "jurisdiction.name", min: 1, max: 100)
        j.nameUrdu = try PortalValidation.text(j.nameUrdu, field: "jurisdiction.name_urdu", min: 0, max: 100)
        guard (1...3).contains(j.tier.rawValue) else { throw PortalError.invalidArgument(field: "jurisdiction.tier", reason: "must be district, division or province") }
        if j.tier == .province {
            guard j.parentCode.isEmpty else { throw PortalError.invalidArgument(field: "jurisdiction.parent_code", reason: "a province has no parent") }
        } else {
            guard let parent = core.directory.jurisdiction(j.parentCode), parent.tier.rawValue == j.tier.rawValue + 1 else {
                throw PortalError.invalidArgument(field: "jurisdiction.parent_code", reason: j.tier == .district ? "must be a division" : "must be a province")
            }
        }
        if let existing = core.directory.jurisdiction(j.code), existing.tier != j.tier || existing.parentCode != j.parentCode {
            throw PortalError.failedPrecondition("jurisdiction \(j.code) exists with another tier or parent; only its names can change")
        }
        let now = core.now(), saved = j
        try await core.write { db in
            try db.run("""
                INSERT INTO jurisdictions (code, name, name_urdu, tier, parent_code) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_urdu = excluded.name_urdu
                """, saved.code, saved.name, saved.nameUrdu, Int64(saved.tier.rawValue), saved.parentCode.isEmpty ? nil : saved.parentCode)
            try AuditLog.append(db, at: now, actor: actor, action: "jurisdiction.upsert", target: saved.code)
        }
        core.directory.update { $0.jurisdictions[saved.code] = saved }
        return saved
    }

    public func upsertDepartment(request: Portal_V1_UpsertDepartmentRequest, context: RPCServerContext) async throws -> Portal_V1_Department {
        let actor = try await admin(context)
        var d = request.department ?? Portal_V1_Department()
        d.code = try ReferenceCodes.department(d.code)
        d.name = try PortalValidation.text(d.name, field: "department.name", min: 1, max: 150)
        d.nameUrdu = try PortalValidation.text(d.nameUrdu, field: "department.name_urdu", min: 0, max: 150)
        let now = core.now(), saved = d
        try await core.write { db in
            try db.run("INSERT INTO departments (code, name, name_urdu) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_urdu = excluded.name_urdu",
                       saved.code, saved.name, saved.nameUrdu)
            try AuditLog.append(db, at: now, actor: actor, action: "department.upsert", target: saved.code)
        }
        core.directory.update { $0.departments[saved.code] = saved }
        return saved
    }

    public func upsertCategory(request: Portal_V1_UpsertCategoryRequest, context: RPCServerContext) async throws -> Portal_V1_Category {
        let actor = try await admin(context)
        var c = request.category ?? Portal_V1_Category()
        c.code = try ReferenceCodes.category(c.code)
        c.name = try PortalValidation.text(c.name, field: "category.name", min: 1, max: 100)
        c.nameUrdu = try PortalValidation.text(c.nameUrdu, field: "category.name_urdu", min: 0, max: 100)
        guard core.directory.department(c.departmentCode) != nil else {
            throw c.departmentCode.isEmpty ? PortalError.missing("category.department_code")
                : PortalError.invalidArgument(field: "category.department_code", reason: "is not a known department")
        }
        let now = core.now(), saved = c
        try await core.write { db in
            try db.run("""
                INSERT INTO categories (code, name, name_urdu, department_code, active) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_urdu = excluded.name_urdu,
                    department_code = excluded.department_code, active = excluded.active
                """, saved.code, saved.name, saved.nameUrdu, saved.departmentCode, saved.active)
            try AuditLog.append(db, at: now, actor: actor, action: "category.upsert", target: saved.code, detail: "department=\(saved.departmentCode) active=\(saved.active)")
        }
        core.directory.update { $0.categories[saved.code] = saved }
        return saved
    }

    public func createStaff(request: Portal_V1_CreateStaffRequest, context: RPCServerContext) async throws -> Portal_V1_CreateStaffResponse {
        let actor = try await admin(context)
        let (member, password) = try await StaffAccounts(core: core).create(
            username: request.username, name: request.name, role: request.role, jurisdiction: request.jurisdictionCode,
            department: request.departmentCode, designation: request.designation, by: actor)
        var r = Portal_V1_CreateStaffResponse()
        r.staff = member
        r.oneTimePassword = password
        return r
    }

    public func updateStaff(request: Portal_V1_UpdateStaffRequest, context: RPCServerContext) async throws -> Portal_V1_StaffMember {
        let actor = try await admin(context)
        let id = try PortalValidation.id(request.staffId, field: "staff_id")
        guard let current = try await core.read({ db in try db.queryOne("SELECT \(StaffAccounts.columns) FROM staff WHERE id = ?", [id], StaffAccounts.row) }) else {
            throw PortalError.notFound("staff member \(id) not found")
        }
        let role = request.role ?? current.role
        let jurisdiction = request.jurisdictionCode ?? current.jurisdictionCode
        let department = request.departmentCode ?? current.departmentCode
        let designation = try request.designation.map { d throws(PortalError) in try PortalValidation.text(d, field: "designation", min: 0, max: 100) } ?? current.designation
        try StaffAccounts(core: core).checkPlacement(role: role, jurisdiction: jurisdiction, department: department)
        let active = request.active ?? current.active
        if case .staff(let me) = actor, me.id == id, !active || role != .admin {
            throw PortalError.failedPrecondition("an admin cannot demote or deactivate himself")
        }
        let now = core.now()
        let revoke = !active || role != current.role || jurisdiction != current.jurisdictionCode
        let updated = try await core.write { db in
            try db.run("UPDATE staff SET role = ?, jurisdiction_code = ?, department_code = ?, designation = ?, active = ? WHERE id = ?",
                       Int64(role.rawValue), jurisdiction, department.isEmpty ? nil : department, designation, active, id)
            if revoke {
                try db.run("DELETE FROM sessions WHERE staff_id = ?", id)  // the old rights end now
            }
            try AuditLog.append(db, at: now, actor: actor, action: "staff.update", target: "staff:\(id)",
                                detail: "role=\(role.rawValue) jurisdiction=\(jurisdiction) active=\(active)")
            return try db.queryOne("SELECT \(StaffAccounts.columns) FROM staff WHERE id = ?", [id], StaffAccounts.row)!
        }
        if revoke { core.hub.revoke(.staff(id)) }  // open watch streams end with their sessions
        return updated
    }

    public func listStaff(request: Portal_V1_ListStaffRequest, context: RPCServerContext) async throws -> Portal_V1_ListStaffResponse {
        _ = try await admin(context)
        var clauses: [String] = [], values: [SQLValue] = []
        if !request.jurisdictionCode.isEmpty { clauses.append("jurisdiction_code = ?"); values.append(.text(request.jurisdictionCode)) }
        if request.role != .unspecified { clauses.append("role = ?"); values.append(.integer(Int64(request.role.rawValue))) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let bound = values
        var r = Portal_V1_ListStaffResponse()
        r.staff = try await core.read { db in try db.query("SELECT \(StaffAccounts.columns) FROM staff \(whereSQL) ORDER BY id LIMIT 10000", bound, StaffAccounts.row) }
        return r
    }

    public func getEscalationPolicy(request: Portal_V1_GetEscalationPolicyRequest, context: RPCServerContext) async throws -> Portal_V1_EscalationPolicy {
        _ = try await admin(context)
        return core.escalationPolicy.proto
    }

    public func setEscalationPolicy(request: Portal_V1_EscalationPolicy, context: RPCServerContext) async throws -> Portal_V1_EscalationPolicy {
        let actor = try await admin(context)
        // Unset fields keep their current values, so one setting changes without a read first.
        let current = core.escalationPolicy
        let division = request.divisionAfterDays.map(Int.init) ?? current.divisionAfterDays
        let province = request.provinceAfterDays.map(Int.init) ?? current.provinceAfterDays
        let reopens = request.maxReopens.map(Int.init) ?? current.maxReopens
        let policy = EscalationPolicy(divisionAfterDays: division, provinceAfterDays: province, maxReopens: reopens)
        try policy.validate()
        let now = core.now()
        try await core.write { db in
            try EscalationPolicy.save(policy, db)
            try AuditLog.append(db, at: now, actor: actor, action: "escalation_policy.set", target: "escalation", detail: policy.auditDetail)
        }
        core.setEscalationPolicy(policy)
        return policy.proto
    }

    public func blockCitizen(request: Portal_V1_BlockCitizenRequest, context: RPCServerContext) async throws -> Portal_V1_Citizen {
        try await setBlocked(true, request, context)
    }

    public func unblockCitizen(request: Portal_V1_BlockCitizenRequest, context: RPCServerContext) async throws -> Portal_V1_Citizen {
        try await setBlocked(false, request, context)
    }

    private func setBlocked(_ blocked: Bool, _ request: Portal_V1_BlockCitizenRequest, _ context: RPCServerContext) async throws -> Portal_V1_Citizen {
        let actor = try await admin(context)
        let id = try PortalValidation.id(request.citizenId, field: "citizen_id")
        let reason = try PortalValidation.text(request.reason, field: "reason", min: blocked ? 1 : 0, max: 500)
        let now = core.now()
        let citizen = try await core.write { db in
            guard try db.run("UPDATE citizens SET blocked = ? WHERE id = ?", blocked, id) == 1 else {
                throw PortalError.notFound("citizen \(id) not found")
            }
            if blocked { try db.run("DELETE FROM sessions WHERE citizen_id = ?", id) }
            try AuditLog.append(db, at: now, actor: actor, action: blocked ? "citizen.block" : "citizen.unblock", target: "citizen:\(id)", detail: reason)
            return try CitizenAccounts.load(db, id: id)!
        }
        if blocked { core.hub.revoke(.citizen(id)) }
        return citizen
    }

    public func listAuditLog(request: Portal_V1_ListAuditLogRequest, context: RPCServerContext) async throws -> Portal_V1_ListAuditLogResponse {
        _ = try await admin(context)
        guard request.limit <= 500 else { throw PortalError.invalidArgument(field: "limit", reason: "at most 500") }
        let after = try CitizenServiceHandler.sequence(request.afterSequence, field: "after_sequence")
        let limit = request.limit == 0 ? 100 : Int(request.limit)
        var r = Portal_V1_ListAuditLogResponse()
        r.entries = try await core.read { db in try AuditLog.list(db, after: after, limit: limit) }.map(\.proto)
        return r
    }

    public func backupDatabase(request: Portal_V1_BackupDatabaseRequest, context: RPCServerContext) async throws -> Portal_V1_BackupDatabaseResponse {
        let actor = try await admin(context)
        let (path, size, at) = try await DatabaseBackup(core: core).run()
        let now = core.now()
        _ = try await core.write { db in
            try AuditLog.append(db, at: now, actor: actor, action: "database.backup", target: path, detail: "bytes=\(size)")
        }
        var r = Portal_V1_BackupDatabaseResponse()
        r.path = path
        r.sizeBytes = size
        r.takenAt = .init(millis: at)
        return r
    }

    public func advanceClock(request: Portal_V1_AdvanceClockRequest, context: RPCServerContext) async throws -> Portal_V1_AdvanceClockResponse {
        let actor = try await admin(context)
        guard let clock = core.devClock else {
            throw PortalError.failedPrecondition("the clock moves only on a development server (portal-server --dev)")
        }
        let hours = Int64(request.days) * 24 + Int64(request.hours)
        guard hours <= 365 * 24 else { throw PortalError.invalidArgument(field: "days", reason: "together with hours at most 365 days") }
        clock.advance(byMillis: hours * Millis.hour)
        let now = core.now()
        _ = try await core.write { db in
            try AuditLog.append(db, at: now, actor: actor, action: "dev.advance_clock", target: "clock", detail: "hours=\(hours)")
        }
        let escalated = try await Escalator(core: core).scan()
        var r = Portal_V1_AdvanceClockResponse()
        r.now = .init(millis: now)
        r.escalated = UInt32(clamping: escalated)
        return r
    }

    public func verifyAuditLog(request: Portal_V1_VerifyAuditLogRequest, context: RPCServerContext) async throws -> Portal_V1_VerifyAuditLogResponse {
        _ = try await admin(context)
        let (checked, firstBad) = try await core.read { db in try AuditLog.verify(db) }
        var r = Portal_V1_VerifyAuditLogResponse()
        r.intact = firstBad == nil
        r.entriesChecked = UInt64(checked)
        r.firstBadSequence = UInt64(firstBad ?? 0)
        return r
    }
}
