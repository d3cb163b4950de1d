import PortalRPC

// OfficerService: staff sign-in, the queue and its actions, officers, live queue, dashboards.

extension Commands {
    static let officerGroup = "Officer commands (department officers, DCs, Commissioners, the Chief Secretary)"

    static let dashboardFlags: [FlagSpec] = [
        .value("scope", "CODE", "a district or division inside your jurisdiction (default: all of it)"),
        .value("from", "DATE", "only complaints filed from this date/time (2026-05-01 or 2026-05-01T10:00Z)"),
        .value("to", "DATE", "… and before this one"),
    ]

    static let officer: [Command] = [
        Command(CommandSpec(
            name: "officer-login", group: officerGroup,
            summary: "Sign in as staff (officers and admins); the session is kept in the profile.",
            flags: [
                .value("username", "NAME", "staff username", required: true),
                .value("password", "PASSWORD", "the password (else PORTAL_PASSWORD, else asked)"),
            ],
            example: "portal-client --profile dc officer-login --username dc.peshawar --password \"$OTP\""
        )) { try await $0.officerLogin() },
        Command(CommandSpec(
            name: "me", group: officerGroup,
            summary: "Show the signed-in staff member.",
            example: "portal-client --profile dc me"
        )) { try await $0.me() },
        Command(CommandSpec(
            name: "queue", group: officerGroup,
            summary: "List the complaints in your scope, newest first.",
            flags: [
                .value("scope", "CODE", "a district or division inside your jurisdiction"),
                .repeated("status", "STATUS", "only these statuses (new, assigned, info-requested, resolved, closed, reopened, systemic)"),
                .value("category", "CODE", "only this category"),
                .toggle("overdue", "only unresolved complaints past the first escalation threshold"),
                .value("tier", "TIER", "only complaints now at this tier (district, division, province)"),
                .value("page-size", "N", "complaints per page (default 50, at most 500)"),
                .value("page-token", "TOKEN", "the next page, from the previous output"),
            ],
            example: "portal-client --profile dc queue --status new --status reopened"
        )) { try await $0.queue() },
        Command(CommandSpec(
            name: "show", group: officerGroup,
            summary: "Show a complaint with its timeline and the complainant's contact details.",
            arguments: [.required("CODE", "complaint code")],
            example: "portal-client --profile dc show PSH-2026-000001"
        )) { try await $0.show() },
        Command(CommandSpec(
            name: "assign", group: officerGroup,
            summary: "Assign a complaint to department officers of its district (DC and above).",
            arguments: [.required("CODE", "complaint code"), .oneOrMore("OFFICER_ID", "staff ids (see 'officers')")],
            flags: [.value("remark", "TEXT", "a remark for the timeline")],
            example: "portal-client --profile dc assign PSH-2026-000001 7 --remark 'Please restore supply today'"
        )) { try await $0.assign() },
        Command(CommandSpec(
            name: "remark", group: officerGroup,
            summary: "Add a remark to a complaint's timeline (the citizen is told).",
            arguments: [.required("CODE", "complaint code")],
            flags: [.value("text", "TEXT", "the remark", required: true)],
            example: "portal-client --profile officer remark PSH-2026-000001 --text 'Team sent to inspect the line'"
        )) { try await $0.remark() },
        Command(CommandSpec(
            name: "ask-info", group: officerGroup,
            summary: "Ask the citizen for more information; the complaint waits for the answer.",
            arguments: [.required("CODE", "complaint code")],
            flags: [.value("question", "TEXT", "what you need to know", required: true)],
            example: "portal-client --profile officer ask-info PSH-2026-000001 --question 'Which street exactly?'"
        )) { try await $0.askInfo() },
        Command(CommandSpec(
            name: "resolve", group: officerGroup,
            summary: "Resolve a complaint with remarks (assigned officer, DC and above).",
            arguments: [.required("CODE", "complaint code")],
            flags: [
                .value("remarks", "TEXT", "what was done", required: true),
                .repeated("attach", "ID", "an attachment id from 'upload' (with a staff profile)"),
            ],
            example: "portal-client --profile officer resolve PSH-2026-000001 --remarks 'Pipe repaired; supply restored'"
        )) { try await $0.resolve() },
        Command(CommandSpec(
            name: "transfer", group: officerGroup,
            summary: "Move a wrongly routed complaint to another district (DC and above).",
            arguments: [.required("CODE", "complaint code")],
            flags: [
                .value("district", "CODE", "the district it belongs to", required: true),
                .value("reason", "TEXT", "why", required: true),
            ],
            example: "portal-client --profile dc transfer PSH-2026-000001 --district NSR --reason 'The street is in Nowshera'"
        )) { try await $0.transfer() },
        Command(CommandSpec(
            name: "systemic", group: officerGroup,
            summary: "Mark a policy or systemic issue: it stays active and visible instead of closing.",
            arguments: [.required("CODE", "complaint code")],
            flags: [.value("remark", "TEXT", "why it is systemic", required: true)],
            example: "portal-client --profile dc systemic PSH-2026-000001 --remark 'Needs a new tube well; budget request sent'"
        )) { try await $0.systemic() },
        Command(CommandSpec(
            name: "add-officer", group: officerGroup,
            summary: "Add a department officer to your district (DC; admins name --district); prints a one-time password.",
            flags: [
                .value("name", "NAME", "full name", required: true),
                .value("username", "NAME", "3-32 of a-z 0-9 . _ -", required: true),
                .value("department", "CODE", "department code (see 'categories'), e.g. PHE", required: true),
                .value("designation", "TEXT", "e.g. 'XEN Public Health'"),
                .value("district", "CODE", "the district (admins only; a DC's own by default)"),
            ],
            example: "portal-client --profile dc add-officer --name 'Bilal Ahmad' --username bilal.phe --department PHE --designation 'SDO PHE'"
        )) { try await $0.addOfficer() },
        Command(CommandSpec(
            name: "officers", group: officerGroup,
            summary: "List the department officers in your scope (DC and above).",
            flags: [.value("district", "CODE", "a district in your scope")],
            example: "portal-client --profile dc officers"
        )) { try await $0.officers() },
        Command(CommandSpec(
            name: "watch-queue", group: officerGroup,
            summary: "Print new, escalated, reopened, transferred and assigned complaints in your scope as they happen.",
            flags: [.value("count", "N", "stop after N events")],
            example: "portal-client --profile dc watch-queue",
            details: "A live feed, not a log: after a reconnect, list the queue again. Ctrl-C ends it with status 0."
        )) { try await $0.watchQueue() },
        Command(CommandSpec(
            name: "dashboard", group: officerGroup,
            summary: "Figures for your jurisdiction or part of it (DC, Commissioner, Chief Secretary, admin).",
            flags: dashboardFlags,
            example: "portal-client --profile dc dashboard --from 2026-01-01 --to 2026-07-01"
        )) { try await $0.dashboard() },
        Command(CommandSpec(
            name: "watch-dashboard", group: officerGroup,
            summary: "Print the dashboard now and again after each change in scope (at most once a second).",
            flags: dashboardFlags + [.value("count", "N", "stop after N dashboards")],
            example: "portal-client --profile dc watch-dashboard --scope PSH"
        )) { try await $0.watchDashboard() },
    ]
}

extension Runner {
    func officerLogin() async throws {
        var r = Portal_V1_StaffLoginRequest()
        r.username = try required("username")
        r.password = try password()
        let session = try await officer.login(r, options: anonymous)
        try remember(session)
        try emit(session) { s in
            "signed in as \(Render.role(s.role)) (staff id \(s.subjectId), profile \(self.profileName), session valid until \(Time.human(s.expiresAt)))"
        }
    }

    func me() async throws {
        try emit(try await officer.getMe(Portal_V1_GetMeRequest(), options: signedIn), Render.staffMember)
    }

    func queue() async throws {
        var r = Portal_V1_ListComplaintsRequest()
        r.scopeCode = args.value("scope") ?? ""
        r.statuses = try statuses()
        r.categoryCode = args.value("category") ?? ""
        r.overdueOnly = args.has("overdue")
        r.tier = try tier("tier") ?? .unspecified
        r.page = try page()
        let response = try await officer.listComplaints(r, options: signedIn)
        try emit(response) { Render.complaintList($0, nextCommand: "\(Self.tool)\(self.profileFlag) queue") }
    }

    func show() async throws {
        var r = Portal_V1_OfficerGetComplaintRequest()
        r.code = args.argument("CODE") ?? ""
        let view = try await officer.getComplaint(r, options: signedIn)
        try emit(view) { v in Render.complaint(v.complaint ?? Portal_V1_Complaint(), citizenName: v.citizenName, citizenMobile: v.citizenMobile) }
    }

    func assign() async throws {
        var r = Portal_V1_AssignComplaintRequest()
        r.code = args.argument("CODE") ?? ""
        r.officerIds = args.arguments("OFFICER_ID")
        r.remark = args.value("remark") ?? ""
        try emit(try await officer.assignComplaint(r, options: signedIn)) { Render.complaint($0) }
    }

    func remark() async throws {
        var r = Portal_V1_AddRemarkRequest()
        r.code = args.argument("CODE") ?? ""
        r.remark = try required("text")
        try emit(try await officer.addRemark(r, options: signedIn)) { Render.complaint($0) }
    }

    func askInfo() async throws {
        var r = Portal_V1_RequestInformationRequest()
        r.code = args.argument("CODE") ?? ""
        r.question = try required("question")
        try emit(try await officer.requestInformation(r, options: signedIn)) { Render.complaint($0) }
    }

    func resolve() async throws {
        var r = Portal_V1_ResolveComplaintRequest()
        r.code = args.argument("CODE") ?? ""
        r.remarks = try required("remarks")
        r.attachmentIds = args.all("attach")
        try emit(try await officer.resolveComplaint(r, options: signedIn)) { Render.complaint($0) }
    }

    func transfer() async throws {
        var r = Portal_V1_TransferComplaintRequest()
        r.code = args.argument("CODE") ?? ""
        r.districtCode = try required("district")
        r.reason = try required("reason")
        try emit(try await officer.transferComplaint(r, options: signedIn)) { Render.complaint($0) }
    }

    func systemic() async throws {
        var r = Portal_V1_MarkSystemicRequest()
        r.code = args.argument("CODE") ?? ""
        r.remark = try required("remark")
        try emit(try await officer.markSystemic(r, options: signedIn)) { Render.complaint($0) }
    }

    func addOfficer() async throws {
        var r = Portal_V1_AddOfficerRequest()
        r.name = try required("name")
        r.username = try required("username")
        r.departmentCode = try required("department")
        r.designation = args.value("designation") ?? ""
        r.districtCode = args.value("district") ?? ""
        let response = try await officer.addOfficer(r, options: signedIn)
        try emit(response) { r in
            let o = r.officer ?? Portal_V1_StaffMember()
            return """
            added \(o.name) (staff id \(o.id), username \(o.username)), department officer of \(o.jurisdictionCode), department \(o.departmentCode)
            one-time password: \(r.oneTimePassword)   (shown once)
            """
        }
    }

    func officers() async throws {
        var r = Portal_V1_ListOfficersRequest()
        r.districtCode = args.value("district") ?? ""
        try emit(try await officer.listOfficers(r, options: signedIn)) { Render.staffList($0.officers) }
    }

    func watchQueue() async throws {
        let officer = try self.officer
        if output == .human { note("watching the queue (Ctrl-C to stop)") }
        try await follow(count: try uint("count", range: 1...UInt64.max),
                         reconnectNote: "Events during the gap are not replayed; list the queue again.", open: {
            try await officer.watchQueue(Portal_V1_WatchQueueRequest(), options: self.watching)
        }, each: { (e: Portal_V1_QueueEvent) in
            try self.emitStreamed(e, Render.queueEvent)
        })
    }

    func dashboardRequest() throws -> Portal_V1_GetDashboardRequest {
        var r = Portal_V1_GetDashboardRequest()
        r.scopeCode = args.value("scope") ?? ""
        r.periodStart = try timestamp("from")
        r.periodEnd = try timestamp("to")
        return r
    }

    func dashboard() async throws {
        try emit(try await officer.getDashboard(try dashboardRequest(), options: signedIn), Render.dashboard)
    }

    func watchDashboard() async throws {
        let request = try dashboardRequest()
        let officer = try self.officer
        try await follow(count: try uint("count", range: 1...UInt64.max), reconnectNote: "", open: {
            try await officer.watchDashboard(request, options: self.watching)
        }, each: { (d: Portal_V1_Dashboard) in
            try self.emitStreamed(d) { Render.dashboard($0) + "\n" }
        })
    }
}
