import PortalRPC

// AdminService: jurisdictions, departments, categories, staff, escalation policy, blocking,
// the audit log. Admin role only (sign in with 'officer-login').

extension Commands {
    static let adminGroup = "Admin commands (sign in with officer-login as an admin)"

    static let admin: [Command] = [
        Command(CommandSpec(
            name: "upsert-district", group: adminGroup,
            summary: "Add a district, or rename one (districts cannot move to another division).",
            flags: [
                .value("code", "CODE", "three capital letters, e.g. PSH", required: true),
                .value("name", "NAME", "English name", required: true),
                .value("urdu", "NAME", "Urdu name"),
                .value("division", "CODE", "the division it belongs to, e.g. DIV-PSH", required: true),
            ],
            example: "portal-client --profile admin upsert-district --code TST --name Testabad --division DIV-PSH"
        )) { try await $0.upsertJurisdiction(tier: .district) },
        Command(CommandSpec(
            name: "upsert-division", group: adminGroup,
            summary: "Add a division, or rename one.",
            flags: [
                .value("code", "CODE", "e.g. DIV-PSH", required: true),
                .value("name", "NAME", "English name", required: true),
                .value("urdu", "NAME", "Urdu name"),
                .value("province", "CODE", "the province (default: the only one there is)"),
            ],
            example: "portal-client --profile admin upsert-division --code DIV-PSH --name Peshawar --urdu پشاور"
        )) { try await $0.upsertJurisdiction(tier: .division) },
        Command(CommandSpec(
            name: "upsert-department", group: adminGroup,
            summary: "Add a department, or rename one.",
            flags: [
                .value("code", "CODE", "e.g. PHE", required: true),
                .value("name", "NAME", "English name", required: true),
                .value("urdu", "NAME", "Urdu name"),
            ],
            example: "portal-client --profile admin upsert-department --code PHE --name 'Public Health Engineering'"
        )) { try await $0.upsertDepartment() },
        Command(CommandSpec(
            name: "upsert-category", group: adminGroup,
            summary: "Add or change a complaint category and the department it routes to.",
            flags: [
                .value("code", "CODE", "e.g. water-supply", required: true),
                .value("name", "NAME", "English name", required: true),
                .value("urdu", "NAME", "Urdu name"),
                .value("department", "CODE", "the department it routes to", required: true),
                .toggle("inactive", "close the category to new complaints"),
            ],
            example: "portal-client --profile admin upsert-category --code water-supply --name 'Water Supply' --department PHE"
        )) { try await $0.upsertCategory() },
        Command(CommandSpec(
            name: "create-staff", group: adminGroup,
            summary: "Create a staff account of any role; prints a one-time password.",
            flags: [
                .value("username", "NAME", "3-32 of a-z 0-9 . _ -", required: true),
                .value("name", "NAME", "full name", required: true),
                .value("role", "ROLE", "officer, dc, commissioner, cs, admin (or department-officer, deputy-commissioner, chief-secretary)", required: true),
                .value("jurisdiction", "CODE", "a district (officer, dc), division (commissioner) or the province (cs, admin)", required: true),
                .value("department", "CODE", "department (officers)"),
                .value("designation", "TEXT", "e.g. 'Deputy Commissioner Peshawar'"),
            ],
            example: "portal-client --profile admin create-staff --username dc.peshawar --name 'Sana Gul' --role dc --jurisdiction PSH"
        )) { try await $0.createStaff() },
        Command(CommandSpec(
            name: "update-staff", group: adminGroup,
            summary: "Change a staff member's role, jurisdiction, department or designation, or (de)activate (revokes sessions).",
            arguments: [.required("STAFF_ID", "the staff id")],
            flags: [
                .value("role", "ROLE", "new role"),
                .value("jurisdiction", "CODE", "new jurisdiction"),
                .value("department", "CODE", "new department ('' to clear)"),
                .value("designation", "TEXT", "new designation"),
                .toggle("active", "reactivate"),
                .toggle("inactive", "deactivate"),
            ],
            example: "portal-client --profile admin update-staff 7 --inactive"
        )) { try await $0.updateStaff() },
        Command(CommandSpec(
            name: "staff", group: adminGroup,
            summary: "List staff accounts.",
            flags: [
                .value("jurisdiction", "CODE", "only this jurisdiction"),
                .value("role", "ROLE", "only this role"),
            ],
            example: "portal-client --profile admin staff --role dc"
        )) { try await $0.staff() },
        Command(CommandSpec(
            name: "policy", group: adminGroup,
            summary: "Show the escalation policy.",
            example: "portal-client --profile admin policy"
        )) { try await $0.policy() },
        Command(CommandSpec(
            name: "set-policy", group: adminGroup,
            summary: "Change the escalation policy; settings not given keep their current values.",
            flags: [
                .value("division-days", "N", "days unresolved before a complaint goes to the Commissioner (1-365)"),
                .value("province-days", "N", "days before it goes to the Chief Secretary (more than --division-days, at most 730)"),
                .value("max-reopens", "N", "how many times a citizen may reopen a complaint (0-10)"),
            ],
            example: "portal-client --profile admin set-policy --division-days 15 --province-days 22"
        )) { try await $0.setPolicy() },
        Command(CommandSpec(
            name: "block", group: adminGroup,
            summary: "Block a citizen: no sign-in, no filing; sessions revoked.",
            arguments: [.required("CITIZEN_ID", "the citizen id")],
            flags: [.value("reason", "TEXT", "why (kept in the audit log)", required: true)],
            example: "portal-client --profile admin block 12 --reason 'Abusive language in complaints'"
        )) { try await $0.block(true) },
        Command(CommandSpec(
            name: "unblock", group: adminGroup,
            summary: "Unblock a citizen.",
            arguments: [.required("CITIZEN_ID", "the citizen id")],
            flags: [.value("reason", "TEXT", "why (kept in the audit log)")],
            example: "portal-client --profile admin unblock 12 --reason 'Appeal accepted'"
        )) { try await $0.block(false) },
        Command(CommandSpec(
            name: "audit", group: adminGroup,
            summary: "List the audit log, oldest first.",
            flags: [
                .value("after", "SEQ", "entries after this sequence number"),
                .value("limit", "N", "at most this many (default 100, at most 500)"),
            ],
            example: "portal-client --profile admin audit --after 100"
        )) { try await $0.audit() },
        Command(CommandSpec(
            name: "verify-audit", group: adminGroup,
            summary: "Recompute the audit log's hash chain; exits 0 only when it is intact.",
            example: "portal-client --profile admin verify-audit",
            details: "A broken chain prints the first bad entry and exits with status 15 (DATA_LOSS)."
        )) { try await $0.verifyAudit() },
        Command(CommandSpec(
            name: "backup", group: adminGroup,
            summary: "Online backup of the database to <data>/backups/ on the server; prints the file.",
            example: "portal-client --profile admin backup"
        )) { try await $0.backup() },
        Command(CommandSpec(
            name: "advance-clock", group: adminGroup,
            summary: "Development servers only (portal-server --dev): move the clock forward and run the escalation scan.",
            flags: [
                .value("days", "N", "days to move (with --hours at most 365 days in all)"),
                .value("hours", "N", "hours to move"),
            ],
            example: "portal-client --profile admin advance-clock --days 15"
        )) { try await $0.advanceClock() },
    ]
}

extension Runner {
    func upsertJurisdiction(tier: Portal_V1_Tier) async throws {
        var j = Portal_V1_Jurisdiction()
        j.code = try required("code")
        j.name = try required("name")
        j.nameUrdu = args.value("urdu") ?? ""
        j.tier = tier
        if tier == .district {
            j.parentCode = try required("division")
        } else if let province = args.value("province") {
            j.parentCode = province
        } else {
            var q = Portal_V1_ListJurisdictionsRequest()
            q.tier = .province
            let provinces = try await citizen.listJurisdictions(q, options: anonymous).jurisdictions
            guard provinces.count == 1 else { throw usage("give --province (the server has \(provinces.count) provinces)") }
            j.parentCode = provinces[0].code
        }
        var r = Portal_V1_UpsertJurisdictionRequest()
        r.jurisdiction = j
        let saved = try await admin.upsertJurisdiction(r, options: signedIn)
        try emit(saved) { j in "saved \(Render.tier(j.tier).lowercased()) \(j.code): \(j.name)\(j.nameUrdu.isEmpty ? "" : " / " + j.nameUrdu) (in \(j.parentCode))" }
    }

    func upsertDepartment() async throws {
        var d = Portal_V1_Department()
        d.code = try required("code")
        d.name = try required("name")
        d.nameUrdu = args.value("urdu") ?? ""
        var r = Portal_V1_UpsertDepartmentRequest()
        r.department = d
        try emit(try await admin.upsertDepartment(r, options: signedIn)) { d in
            "saved department \(d.code): \(d.name)\(d.nameUrdu.isEmpty ? "" : " / " + d.nameUrdu)"
        }
    }

    func upsertCategory() async throws {
        var c = Portal_V1_Category()
        c.code = try required("code")
        c.name = try required("name")
        c.nameUrdu = args.value("urdu") ?? ""
        c.departmentCode = try required("department")
        c.active = !args.has("inactive")
        var r = Portal_V1_UpsertCategoryRequest()
        r.category = c
        try emit(try await admin.upsertCategory(r, options: signedIn)) { c in
            "saved category \(c.code): \(c.name) → department \(c.departmentCode)\(c.active ? "" : " (inactive)")"
        }
    }

    func createStaff() async throws {
        var r = Portal_V1_CreateStaffRequest()
        r.username = try required("username")
        r.name = try required("name")
        r.role = try role("role") ?? .unspecified
        r.jurisdictionCode = try required("jurisdiction")
        r.departmentCode = args.value("department") ?? ""
        r.designation = args.value("designation") ?? ""
        let response = try await admin.createStaff(r, options: signedIn)
        try emit(response) { r in
            let s = r.staff ?? Portal_V1_StaffMember()
            return """
            created \(Render.role(s.role)) \(s.name) (staff id \(s.id), username \(s.username)) in \(s.jurisdictionCode)
            one-time password: \(r.oneTimePassword)   (shown once)
            """
        }
    }

    func updateStaff() async throws {
        var r = Portal_V1_UpdateStaffRequest()
        r.staffId = args.argument("STAFF_ID") ?? ""
        r.role = try role("role")
        r.jurisdictionCode = args.value("jurisdiction")
        r.departmentCode = args.value("department")
        r.designation = args.value("designation")
        switch (args.has("active"), args.has("inactive")) {
        case (true, true): throw usage("--active and --inactive exclude each other")
        case (true, false): r.active = true
        case (false, true): r.active = false
        case (false, false): break
        }
        try emit(try await admin.updateStaff(r, options: signedIn), Render.staffMember)
    }

    func staff() async throws {
        var r = Portal_V1_ListStaffRequest()
        r.jurisdictionCode = args.value("jurisdiction") ?? ""
        r.role = try role("role") ?? .unspecified
        try emit(try await admin.listStaff(r, options: signedIn)) { Render.staffList($0.staff) }
    }

    static func policyText(_ p: Portal_V1_EscalationPolicy) -> String {
        func days(_ n: UInt32?) -> String { n.map { $0 == 1 ? "1 day" : "\($0) days" } ?? "?" }
        let reopens = p.maxReopens.map(String.init) ?? "?"
        return "escalation: to the Commissioner after \(days(p.divisionAfterDays)), to the Chief Secretary after \(days(p.provinceAfterDays)); at most \(reopens) reopen\(p.maxReopens == 1 ? "" : "s")"
    }

    func policy() async throws {
        try emit(try await admin.getEscalationPolicy(Portal_V1_GetEscalationPolicyRequest(), options: signedIn), Self.policyText)
    }

    func setPolicy() async throws {
        guard args.has("division-days") || args.has("province-days") || args.has("max-reopens") else {
            throw usage("give at least one of --division-days, --province-days, --max-reopens")
        }
        // Only the settings given are sent; the server keeps the others.
        var p = Portal_V1_EscalationPolicy()
        if let d = try uint("division-days", range: 0...UInt64(UInt32.max)) { p.divisionAfterDays = UInt32(d) }
        if let d = try uint("province-days", range: 0...UInt64(UInt32.max)) { p.provinceAfterDays = UInt32(d) }
        if let n = try uint("max-reopens", range: 0...UInt64(UInt32.max)) { p.maxReopens = UInt32(n) }
        try emit(try await admin.setEscalationPolicy(p, options: signedIn)) { "saved " + Self.policyText($0) }
    }

    func block(_ blocked: Bool) async throws {
        var r = Portal_V1_BlockCitizenRequest()
        r.citizenId = args.argument("CITIZEN_ID") ?? ""
        r.reason = args.value("reason") ?? ""
        let citizen = blocked ? try await admin.blockCitizen(r, options: signedIn) : try await admin.unblockCitizen(r, options: signedIn)
        try emit(citizen) { c in "citizen \(c.id) (\(c.name)) is \(c.blocked ? "blocked" : "not blocked")" }
    }

    func audit() async throws {
        var r = Portal_V1_ListAuditLogRequest()
        r.afterSequence = try uint("after") ?? 0
        r.limit = UInt32(try uint("limit", range: 1...500) ?? 0)
        try emit(try await admin.listAuditLog(r, options: signedIn)) { Render.auditEntries($0.entries) }
    }

    func backup() async throws {
        try emit(try await admin.backupDatabase(Portal_V1_BackupDatabaseRequest(), options: signedIn)) {
            "backup written on the server: \($0.path) (\($0.sizeBytes) bytes)"
        }
    }

    func advanceClock() async throws {
        var r = Portal_V1_AdvanceClockRequest()
        r.days = UInt32(try uint("days", range: 0...365) ?? 0)
        r.hours = UInt32(try uint("hours", range: 0...(365 * 24)) ?? 0)
        try emit(try await admin.advanceClock(r, options: signedIn)) { "clock moved; \($0.escalated) complaint(s) escalated" }
    }

    func verifyAudit() async throws {
        let response = try await admin.verifyAuditLog(Portal_V1_VerifyAuditLogRequest(), options: signedIn)
        try emit(response) { r in
            r.intact ? "audit log intact: \(r.entriesChecked) entries checked"
                : "audit log BROKEN: first bad entry #\(r.firstBadSequence) (\(r.entriesChecked) entries checked)"
        }
        if !response.intact { throw RPCError(code: .dataLoss, message: "the audit log's hash chain is broken at entry #\(response.firstBadSequence)") }
    }
}
