import Foundation
import PortalRPC
import PortalServices
import Testing

/// Every RPC of CitizenService, OfficerService and AdminService, called over the socket by
/// every kind of caller, with a valid request: the only reasons left to fail are sign-in,
/// role, jurisdiction and state. One row per RPC; a row's cells run in caller order, rows run
/// in parallel against one shared portal (`.sharedMatrixPortal`). Calls that change a
/// complaint get a fresh complaint per cell; reads share the complaint under test.
@Suite(.sharedMatrixPortal) struct AuthorizationMatrixTests {
    @Test(arguments: AuthorizationMatrix.rows)
    func callerOutcomes(_ row: MatrixRow) async throws {
        let fx = try #require(MatrixFixture.current)
        for caller in Caller.allCases {
            let expected = row.expected[caller.rawValue]
            let outcome = await fx.run(row, as: caller)
            #expect(outcome == expected, "\(row.method.method) as \(caller): expected \(expected), got \(outcome)")
        }
    }

    /// A new RPC without a row fails here: the served methods (the three handlers registered
    /// on a router), the generated service descriptors and the matrix's rows must agree.
    @Test func everyRPCHasExactlyOneRow() throws {
        let fx = try #require(MatrixFixture.current)
        var router = RPCRouter()
        fx.portal.app.registerServices(with: &router)
        let generated = Set([Portal_V1_CitizenService.descriptor, Portal_V1_OfficerService.descriptor, Portal_V1_AdminService.descriptor]
            .flatMap(\.methods).map(\.path))
        // Other services (InfoService, EServicesService, IntegrationService) have their own matrix.
        let services: Set = ["portal.v1.CitizenService", "portal.v1.OfficerService", "portal.v1.AdminService"]
        let served = Set(router.methods.filter { services.contains($0.service) }.map(\.path))
        let rows = AuthorizationMatrix.rows.map(\.method.path)
        #expect(Set(rows).count == rows.count, "duplicate rows: \(Dictionary(grouping: rows) { $0 }.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(served == generated, "served but not generated: \(served.subtracting(generated).sorted()); generated but not served: \(generated.subtracting(served).sorted())")
        #expect(Set(rows) == served, "RPCs without a row: \(served.subtracting(rows).sorted()); rows for no served RPC: \(Set(rows).subtracting(served).sorted())")
    }
}

// MARK: - Callers and outcomes

/// Who calls. The complaint under test is citizen A's, filed in Peshawar (PSH, division
/// DIV-PSH), category water-supply (department PHE), assigned to `officerAssigned`.
enum Caller: Int, CaseIterable, Sendable, CustomStringConvertible {
    case anonymous, citizenA, citizenB, officerAssigned, officerUnassigned
    case dcOwn, dcOther, commissionerOwn, commissionerOther, chiefSecretary, admin

    var description: String {
        switch self {
        case .anonymous: "anonymous"
        case .citizenA: "citizen A (owner, PSH)"
        case .citizenB: "citizen B (PSH)"
        case .officerAssigned: "PHE officer of PSH, assigned"
        case .officerUnassigned: "PHE officer of PSH, not assigned"
        case .dcOwn: "DC of PSH"
        case .dcOther: "DC of MRD"
        case .commissionerOwn: "Commissioner of DIV-PSH"
        case .commissionerOther: "Commissioner of DIV-MRD"
        case .chiefSecretary: "Chief Secretary (KP)"
        case .admin: "admin"
        }
    }
}

/// What one cell did.
enum Outcome: Equatable, Sendable, CustomStringConvertible {
    case ok
    case status(Status.Code)
    /// The cell could not be judged: its setup failed, it hung, or a successful call returned
    /// something it must not (another citizen's data, a complaint outside the caller's scope).
    case broken(String)

    var description: String {
        switch self {
        case .ok: "OK"
        case .status(let code): "\(code)"
        case .broken(let why): "BROKEN (\(why))"
        }
    }
}

/// A row: the RPC, the expected outcome per caller, and how a caller performs the call.
struct MatrixRow: Sendable, CustomTestStringConvertible {
    let method: MethodDescriptor
    let expected: [Outcome]
    let perform: @Sendable (Cell) async throws -> Void

    /// `grid` holds one token per caller, in `Caller` order: `ok`, `UA` (UNAUTHENTICATED) or
    /// `PD` (PERMISSION_DENIED). A malformed grid makes its cells fail, naming the problem.
    init(_ method: MethodDescriptor, _ grid: String, _ perform: @escaping @Sendable (Cell) async throws -> Void) {
        let tokens = grid.split(separator: " ", omittingEmptySubsequences: true)
        let cells: [Outcome] = tokens.map { token in
            switch token {
            case "ok": .ok
            case "UA": .status(.unauthenticated)
            case "PD": .status(.permissionDenied)
            default: .broken("the grid has an unknown token \(token)")
            }
        }
        expected = cells.count == Caller.allCases.count ? cells
            : Array(repeating: .broken("the grid has \(cells.count) cells for \(Caller.allCases.count) callers"), count: Caller.allCases.count)
        self.method = method
        self.perform = perform
    }

    var testDescription: String { method.path }
}

/// What a row's `perform` gets: the caller's credentials, clients that record the method they
/// call (the call under test goes through these, setup through `fx.portal`), and the fixture.
struct Cell: Sendable {
    let fx: MatrixFixture
    let caller: Caller
    let recorder: RecordingTransport

    /// The caller's session (none for anonymous).
    var options: RPCCallOptions { fx.options(caller) }
    var citizen: Portal_V1_CitizenService_Client<RecordingTransport> { .init(transport: recorder) }
    var officer: Portal_V1_OfficerService_Client<RecordingTransport> { .init(transport: recorder) }
    var admin: Portal_V1_AdminService_Client<RecordingTransport> { .init(transport: recorder) }

    /// A session of the caller's own that the call may end (Logout).
    /// The caller's current password (empty for the anonymous caller).
    var password: String {
        switch fx.accounts[caller]?.credentials {
        case .citizen(_, _, let password)?: password
        case .staff(_, let password)?: password
        case nil: "Anonymous-1"
        }
    }

    func freshOptions() async throws -> RPCCallOptions {
        guard let account = fx.accounts[caller] else { return RPCCallOptions() }
        return try await setup("sign \(caller) in again") { try await fx.portal.signIn(account).options }
    }

    /// Fails the cell when a successful call returned what this caller must not see.
    func check(_ condition: Bool, _ what: @autoclosure () -> String) throws {
        if !condition { throw Leak(what: what()) }
    }

    struct Leak: Error { var what: String }
}

// MARK: - The matrix

enum AuthorizationMatrix {
    typealias C = Portal_V1_CitizenService.Method
    typealias O = Portal_V1_OfficerService.Method
    typealias A = Portal_V1_AdminService.Method

    static let rows: [MatrixRow] = citizenRows + officerRows + adminRows

    //                                               anon citA citB offA offU dcP  dcM  coP  coM  CS   adm
    static let citizenRows: [MatrixRow] = [
        MatrixRow(C.register,                       "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            _ = try await c.citizen.register(NewCitizenValues().request, options: c.options)
        },
        MatrixRow(C.verifyMobile,                   "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            let values = NewCitizenValues()
            let id = try await setup("register") { try await c.fx.portal.register(values) }
            let code = try await setup("read the SMS") { try c.fx.portal.smsCode(for: values.mobileE164) }
            _ = try await c.citizen.verifyMobile(.with { $0.citizenId = id; $0.code = code }, options: c.options)
        },
        MatrixRow(C.resendVerificationCode,         "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            let id = try await setup("register") { try await c.fx.portal.register(NewCitizenValues()) }
            _ = try await c.citizen.resendVerificationCode(.with { $0.citizenId = id }, options: c.options)
        },
        MatrixRow(C.login,                          "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            guard case let .citizen(cnic, _, password) = c.fx.account(.citizenA).credentials else { return }
            let session = try await c.citizen.login(.with { $0.identity = .cnic(cnic); $0.password = password }, options: c.options)
            try c.check(session.subjectId == c.fx.account(.citizenA).id && session.role == .citizen, "signed in as someone else")
        },
        MatrixRow(C.logout,                         "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            _ = try await c.citizen.logout(.init(), options: try await c.freshOptions())
        },
        MatrixRow(C.getProfile,                     "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let me = try await c.citizen.getProfile(.init(), options: c.options)
            try c.check(me.id == c.fx.accounts[c.caller]?.id, "returned another citizen's profile")
        },
        MatrixRow(C.changePassword,                 "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            // To the same password, keeping the other sessions: the shared fixture stays usable.
            let password = c.password
            _ = try await c.citizen.changePassword(.with { $0.currentPassword = password; $0.newPassword = password; $0.keepOtherSessions = true },
                                                   options: c.options)
        },
        MatrixRow(C.listJurisdictions,              "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            let r = try await c.citizen.listJurisdictions(.init(), options: c.options)
            try c.check(r.jurisdictions.contains { $0.code == "PSH" }, "PSH missing")
        },
        MatrixRow(C.listCategories,                 "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            _ = try await c.citizen.listCategories(.init(), options: c.options)
        },
        // Uploads are paced like a phone on a slow link: a refusal arrives while chunks are
        // still to be sent, and the caller must still learn why (not just CANCELLED).
        MatrixRow(C.uploadAttachment,               "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let a = try await c.citizen.uploadAttachment(options: c.options, requests: Uploads.requests(Uploads.jpeg, pause: .milliseconds(250)))
            try c.check(a.contentType == "image/jpeg" && a.sizeBytes == UInt64(Uploads.jpeg.count), "unexpected attachment \(a)")
        },
        MatrixRow(C.fileComplaint,                  "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let filed = try await c.citizen.fileComplaint(MatrixFixture.complaintRequest(), options: c.options)
            try c.check(filed.citizenId == c.fx.accounts[c.caller]?.id, "filed for someone else")
        },
        MatrixRow(C.getComplaint,                   "UA   ok   PD   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let got = try await c.citizen.getComplaint(.with { $0.code = c.fx.complaint.code }, options: c.options)
            try c.check(got.code == c.fx.complaint.code, "returned another complaint")
        },
        MatrixRow(C.listMyComplaints,               "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let mine = try await c.citizen.listMyComplaints(.init(), options: c.options)
            try c.check(mine.complaints.allSatisfy { $0.citizenId == c.fx.accounts[c.caller]?.id }, "lists another citizen's complaints")
            try c.check(!mine.complaints.isEmpty, "lists nothing")
        },
        MatrixRow(C.provideInformation,             "UA   ok   PD   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let code = try await c.fx.freshComplaint(.informationRequested)
            _ = try await c.citizen.provideInformation(.with { $0.code = code; $0.text = "The leak is behind house 14." }, options: c.options)
        },
        MatrixRow(C.submitFeedback,                 "UA   ok   PD   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let code = try await c.fx.freshComplaint(.resolved)
            _ = try await c.citizen.submitFeedback(.with { f in
                f.code = code; f.satisfied = true; f.timeRating = 4; f.qualityRating = 5; f.comment = "Fixed quickly."
            }, options: c.options)
        },
        MatrixRow(C.listMessages,                   "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let box = try await c.citizen.listMessages(.init(), options: c.options)
            // Other cells file complaints concurrently: "mine" is what the caller owns now.
            let mine = Set(try await c.fx.portal.citizen.listMyComplaints(.with { $0.page = .with { $0.pageSize = 500 } }, options: c.options)
                .complaints.map(\.code))
            try c.check(box.messages.allSatisfy { mine.contains($0.referenceCode) }, "messages about another citizen's complaints")
        },
        MatrixRow(C.markMessagesRead,               "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            _ = try await c.citizen.markMessagesRead(.with { $0.upToSequence = 1 }, options: c.options)
        },
        MatrixRow(C.watchUpdates,                   "UA   ok   ok   PD   PD   PD   PD   PD   PD   PD   PD") { c in
            let stream = try await c.citizen.watchUpdates(.init(), options: c.options)
            let first = try await firstMessage(of: stream)
            try c.check(first.sequence == 1 && first.referenceCode == c.fx.firstComplaintCode(of: c.caller),
                        "first message is about \(first.referenceCode)")
        },
        MatrixRow(C.getPublicStatistics,            "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            _ = try await c.citizen.getPublicStatistics(.init(), options: c.options)
        },
    ]

    //                                               anon citA citB offA offU dcP  dcM  coP  coM  CS   adm
    static let officerRows: [MatrixRow] = [
        MatrixRow(O.login,                          "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            guard case let .staff(username, password) = c.fx.account(.dcOwn).credentials else { return }
            let session = try await c.officer.login(.with { $0.username = username; $0.password = password }, options: c.options)
            try c.check(session.role == .deputyCommissioner, "wrong role \(session.role)")
        },
        MatrixRow(O.logout,                         "UA   PD   PD   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            _ = try await c.officer.logout(.init(), options: try await c.freshOptions())
        },
MatrixRow(O.changePassword,                 "UA   PD   PD   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            let password = c.password
            _ = try await c.officer.changePassword(.with { $0.currentPassword = password; $0.newPassword = password; $0.keepOtherSessions = true },
                                                   options: c.options)
        },
                MatrixRow(O.getMe,                          "UA   PD   PD   ok   ok   ok   ok   ok   ok   ok   ok") { c in
            let me = try await c.officer.getMe(.init(), options: c.options)
            try c.check(me.id == c.fx.accounts[c.caller]?.id, "returned another staff member")
        },
        // Scope PSH, the complaint's district: inside a DC of PSH's and his Commissioner's scope.
        MatrixRow(O.listComplaints,                 "UA   PD   PD   ok   ok   ok   PD   ok   PD   ok   PD") { c in
            let list = try await c.officer.listComplaints(.with { $0.scopeCode = "PSH" }, options: c.options)
            for complaint in list.complaints {
                try c.check(c.fx.inScope(c.caller, complaint), "lists \(complaint.code), outside the caller's scope")
            }
            if c.caller == .officerAssigned || c.caller == .dcOwn {
                try c.check(list.page?.totalCount ?? 0 > 0, "lists nothing")
            }
        },
        MatrixRow(O.getComplaint,                   "UA   PD   PD   ok   PD   ok   PD   ok   PD   ok   PD") { c in
            let view = try await c.officer.getComplaint(.with { $0.code = c.fx.complaint.code }, options: c.options)
            try c.check(view.complaint?.code == c.fx.complaint.code, "returned another complaint")
        },
        MatrixRow(O.assignComplaint,                "UA   PD   PD   PD   PD   ok   PD   ok   PD   ok   PD") { c in
            let code = try await c.fx.freshComplaint(.assigned)
            _ = try await c.officer.assignComplaint(.with { r in
                r.code = code; r.officerIds = [c.fx.account(.officerAssigned).id]; r.remark = "Please visit the site."
            }, options: c.options)
        },
        MatrixRow(O.addRemark,                      "UA   PD   PD   ok   PD   ok   PD   ok   PD   ok   PD") { c in
            let code = try await c.fx.freshComplaint(.assigned)
            _ = try await c.officer.addRemark(.with { $0.code = code; $0.remark = "Team dispatched." }, options: c.options)
        },
        MatrixRow(O.requestInformation,             "UA   PD   PD   ok   PD   ok   PD   ok   PD   ok   PD") { c in
            let code = try await c.fx.freshComplaint(.assigned)
            _ = try await c.officer.requestInformation(.with { $0.code = code; $0.question = "Which street exactly?" }, options: c.options)
        },
        MatrixRow(O.resolveComplaint,               "UA   PD   PD   ok   PD   ok   PD   ok   PD   ok   PD") { c in
            let code = try await c.fx.freshComplaint(.assigned)
            _ = try await c.officer.resolveComplaint(.with { $0.code = code; $0.remarks = "Pipe replaced." }, options: c.options)
        },
        MatrixRow(O.transferComplaint,              "UA   PD   PD   PD   PD   ok   PD   ok   PD   ok   PD") { c in
            let code = try await c.fx.freshComplaint(.assigned)
            _ = try await c.officer.transferComplaint(.with { r in
                r.code = code; r.districtCode = "MRD"; r.reason = "The street is in Mardan."
            }, options: c.options)
        },
        MatrixRow(O.markSystemic,                   "UA   PD   PD   PD   PD   ok   PD   ok   PD   ok   PD") { c in
            let code = try await c.fx.freshComplaint(.assigned)
            _ = try await c.officer.markSystemic(.with { $0.code = code; $0.remark = "The whole scheme needs a new main." }, options: c.options)
        },
        // Paced like the citizen's upload (see there).
        MatrixRow(O.uploadAttachment,               "UA   PD   PD   ok   ok   ok   ok   ok   ok   ok   PD") { c in
            let a = try await c.officer.uploadAttachment(options: c.options, requests: Uploads.requests(Uploads.jpeg, pause: .milliseconds(250)))
            try c.check(a.contentType == "image/jpeg", "unexpected attachment \(a)")
        },
        // Into PSH. The API documents admins calling it ("admins must name one").
        MatrixRow(O.addOfficer,                     "UA   PD   PD   PD   PD   ok   PD   PD   PD   PD   ok") { c in
            let r = try await c.officer.addOfficer(.with { r in
                r.name = "Engineer Sajid Khan"; r.username = "sdo.\(UUID().uuidString.prefix(8).lowercased())"
                r.departmentCode = "PHE"; r.designation = "SDO"; r.districtCode = "PSH"
            }, options: c.options)
            try c.check(r.officer?.jurisdictionCode == "PSH" && r.officer?.role == .departmentOfficer, "created \(String(describing: r.officer))")
        },
        MatrixRow(O.listOfficers,                   "UA   PD   PD   PD   PD   ok   PD   ok   PD   ok   PD") { c in
            let r = try await c.officer.listOfficers(.with { $0.districtCode = "PSH" }, options: c.options)
            try c.check(r.officers.allSatisfy { $0.jurisdictionCode == "PSH" }, "lists officers outside PSH")
        },
        // Every handler may watch; what arrives must be inside the caller's own scope (events
        // outside it are provoked first and must not arrive).
        MatrixRow(O.watchQueue,                     "UA   PD   PD   ok   ok   ok   ok   ok   ok   ok   PD") { c in
            let stream = try await c.officer.watchQueue(.init(), options: c.options)
            let event = try await firstMessage(of: stream) { try await c.fx.provokeQueueEvents(for: c.caller) }
            try c.check(c.fx.inScope(c.caller, event.complaint ?? .init(), queueKind: event.kind),
                        "received \(event.kind) of \(event.complaint?.code ?? "?") (district \(event.complaint?.districtCode ?? "?"))")
        },
        MatrixRow(O.getDashboard,                   "UA   PD   PD   PD   PD   ok   PD   ok   PD   ok   ok") { c in
            let d = try await c.officer.getDashboard(.with { $0.scopeCode = "PSH" }, options: c.options)
            try c.check(d.scopeCode == "PSH", "dashboard of \(d.scopeCode)")
        },
        MatrixRow(O.watchDashboard,                 "UA   PD   PD   PD   PD   ok   PD   ok   PD   ok   ok") { c in
            let stream = try await c.officer.watchDashboard(.with { $0.scopeCode = "PSH" }, options: c.options)
            let d = try await firstMessage(of: stream)
            try c.check(d.scopeCode == "PSH", "dashboard of \(d.scopeCode)")
        },
    ]

    //                                               anon citA citB offA offU dcP  dcM  coP  coM  CS   adm
    static let adminRows: [MatrixRow] = [
        MatrixRow(A.upsertJurisdiction,             "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.upsertJurisdiction(.with { $0.jurisdiction = c.fx.peshawar }, options: c.options)
        },
        MatrixRow(A.upsertDepartment,               "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.upsertDepartment(.with { $0.department = c.fx.phe }, options: c.options)
        },
        MatrixRow(A.upsertCategory,                 "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.upsertCategory(.with { $0.category = c.fx.waterSupply }, options: c.options)
        },
        MatrixRow(A.createStaff,                    "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.createStaff(.with { r in
                r.username = "xen.\(UUID().uuidString.prefix(8).lowercased())"; r.name = "Engineer Nadia Shah"
                r.role = .departmentOfficer; r.jurisdictionCode = "PSH"; r.departmentCode = "PHE"; r.designation = "XEN"
            }, options: c.options)
        },
        MatrixRow(A.updateStaff,                    "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.updateStaff(.with { $0.staffId = c.fx.staffTarget; $0.designation = "Sub-Divisional Officer" }, options: c.options)
        },
        MatrixRow(A.listStaff,                      "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.listStaff(.init(), options: c.options)
        },
        MatrixRow(A.getEscalationPolicy,            "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.getEscalationPolicy(.init(), options: c.options)
        },
        MatrixRow(A.setEscalationPolicy,            "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.setEscalationPolicy(.with { $0.divisionAfterDays = 15; $0.provinceAfterDays = 22; $0.maxReopens = 2 },
                                                      options: c.options)
        },
        MatrixRow(A.blockCitizen,                   "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.blockCitizen(.with { $0.citizenId = c.fx.blockTarget; $0.reason = "Abusive language in complaints." },
                                               options: c.options)
        },
        MatrixRow(A.unblockCitizen,                 "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.unblockCitizen(.with { $0.citizenId = c.fx.blockTarget; $0.reason = "Apologised." }, options: c.options)
        },
        MatrixRow(A.listAuditLog,                   "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            _ = try await c.admin.listAuditLog(.init(), options: c.options)
        },
        MatrixRow(A.backupDatabase,                 "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            let r = try await c.admin.backupDatabase(.init(), options: c.options)
            try c.check(r.sizeBytes > 0 && r.path.hasSuffix(".sqlite"), "no backup file")
        },
        MatrixRow(A.advanceClock,                   "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            // The test portals run in dev mode; zero hours only runs the escalation scan.
            _ = try await c.admin.advanceClock(.init(), options: c.options)
        },
        MatrixRow(A.verifyAuditLog,                 "UA   PD   PD   PD   PD   PD   PD   PD   PD   PD   ok") { c in
            let r = try await c.admin.verifyAuditLog(.init(), options: c.options)
            try c.check(r.intact, "audit log not intact at \(r.firstBadSequence)")
        },
    ]
}

// MARK: - The shared portal

/// One portal for the whole suite, with every caller signed in and the complaint under test
/// filed and assigned. Built once by the suite trait and reached through a task local.
final class MatrixFixture: Sendable {
    @TaskLocal static var current: MatrixFixture?

    let portal: TestPortal
    let accounts: [Caller: Account]
    /// Citizen A's complaint in PSH, assigned to `officerAssigned` by the DC of PSH.
    let complaint: Portal_V1_Complaint
    /// Citizen B's own complaint (his message box is not empty).
    let complaintOfB: Portal_V1_Complaint
    /// A citizen the admin rows block and unblock, and a staff member they update.
    let blockTarget: String
    let staffTarget: String
    /// Reference data as seeded, for the admin upserts (re-saved unchanged).
    let peshawar: Portal_V1_Jurisdiction
    let phe: Portal_V1_Department
    let waterSupply: Portal_V1_Category

    private init(portal: TestPortal, accounts: [Caller: Account], complaint: Portal_V1_Complaint, complaintOfB: Portal_V1_Complaint,
                 blockTarget: String, staffTarget: String, peshawar: Portal_V1_Jurisdiction, phe: Portal_V1_Department,
                 waterSupply: Portal_V1_Category) {
        self.portal = portal; self.accounts = accounts; self.complaint = complaint; self.complaintOfB = complaintOfB
        self.blockTarget = blockTarget; self.staffTarget = staffTarget
        self.peshawar = peshawar; self.phe = phe; self.waterSupply = waterSupply
    }

    static func make(_ p: TestPortal) async throws -> MatrixFixture {
        let admin = try await p.adminAccount()
        var accounts: [Caller: Account] = [.admin: admin]
        accounts[.citizenA] = try await p.citizenAccount(district: "PSH")
        accounts[.citizenB] = try await p.citizenAccount(district: "PSH")
        accounts[.officerAssigned] = try await p.staffAccount(.departmentOfficer, "PSH", department: "PHE", admin: admin)
        accounts[.officerUnassigned] = try await p.staffAccount(.departmentOfficer, "PSH", department: "PHE", admin: admin)
        accounts[.dcOwn] = try await p.staffAccount(.deputyCommissioner, "PSH", admin: admin)
        accounts[.dcOther] = try await p.staffAccount(.deputyCommissioner, "MRD", admin: admin)
        accounts[.commissionerOwn] = try await p.staffAccount(.commissioner, "DIV-PSH", admin: admin)
        accounts[.commissionerOther] = try await p.staffAccount(.commissioner, "DIV-MRD", admin: admin)
        accounts[.chiefSecretary] = try await p.staffAccount(.chiefSecretary, "KP", admin: admin)

        // Citizen A's first complaint is the one under test; B's first is his own.
        let filed = try await p.citizen.fileComplaint(complaintRequest(), options: accounts[.citizenA]!.options)
        let complaint = try await p.officer.assignComplaint(.with { r in
            r.code = filed.code; r.officerIds = [accounts[.officerAssigned]!.id]
        }, options: accounts[.dcOwn]!.options)
        let complaintOfB = try await p.citizen.fileComplaint(complaintRequest(), options: accounts[.citizenB]!.options)

        let blockTarget = try await p.citizenAccount(district: "PSH").id
        let staffTarget = try await p.staffAccount(.departmentOfficer, "PSH", department: "PHE", admin: admin).id
        let jurisdictions = try await p.citizen.listJurisdictions(.init()).jurisdictions
        let categories = try await p.citizen.listCategories(.init())
        return MatrixFixture(
            portal: p, accounts: accounts, complaint: complaint, complaintOfB: complaintOfB,
            blockTarget: blockTarget, staffTarget: staffTarget,
            peshawar: try #require(jurisdictions.first { $0.code == "PSH" }),
            phe: try #require(categories.departments.first { $0.code == "PHE" }),
            waterSupply: try #require(categories.categories.first { $0.code == "water-supply" }))
    }

    func account(_ caller: Caller) -> Account { accounts[caller]! }

    func options(_ caller: Caller) -> RPCCallOptions { accounts[caller]?.options ?? RPCCallOptions() }

    /// Runs one cell: the outcome of the call, never a setup failure passed off as one.
    func run(_ row: MatrixRow, as caller: Caller) async -> Outcome {
        let recorder = RecordingTransport(portal.client)
        let cell = Cell(fx: self, caller: caller, recorder: recorder)
        let outcome: Outcome
        do {
            try await withTimeout(.seconds(60), "\(row.method.method) as \(caller)") { try await row.perform(cell) }
            outcome = .ok
        } catch let e as RPCError {
            outcome = .status(e.code)
        } catch let e as Cell.Leak {
            outcome = .broken("returned what it must not: \(e.what)")
        } catch {
            outcome = .broken("\(error)")
        }
        // The row called exactly the RPC it is named after (setup calls go around the recorder).
        if case .broken = outcome { return outcome }
        if recorder.paths != [row.method.path] {
            return .broken("the row called \(recorder.paths), not \(row.method.path)")
        }
        return outcome
    }

    static func complaintRequest(district: String = "") -> Portal_V1_FileComplaintRequest {
        .with { f in
            f.idempotencyKey = "matrix-\(UUID().uuidString)"
            f.categoryCode = "water-supply"
            f.description_p = "No water supply in our street for five days."
            f.districtCode = district
        }
    }

    enum Stage { case assigned, informationRequested, resolved }

    /// A new complaint of citizen A in PSH, assigned to `assignee` (the assigned officer by
    /// default) and taken to `stage` by the DC of PSH.
    func freshComplaint(_ stage: Stage, assignee: Caller = .officerAssigned) async throws -> String {
        try await setup("prepare a \(stage) complaint") {
            let dc = account(.dcOwn).options
            let filed = try await portal.citizen.fileComplaint(Self.complaintRequest(), options: account(.citizenA).options)
            _ = try await portal.officer.assignComplaint(.with { $0.code = filed.code; $0.officerIds = [account(assignee).id] }, options: dc)
            switch stage {
            case .assigned: break
            case .informationRequested:
                _ = try await portal.officer.requestInformation(.with { $0.code = filed.code; $0.question = "Since when?" }, options: dc)
            case .resolved:
                _ = try await portal.officer.resolveComplaint(.with { $0.code = filed.code; $0.remarks = "Repaired." }, options: dc)
            }
            return filed.code
        }
    }

    /// Makes queue events happen: first one the caller must not hear of, then one he must.
    func provokeQueueEvents(for caller: Caller) async throws {
        let a = account(.citizenA).options
        switch caller {
        case .officerAssigned, .officerUnassigned:
            let other: Caller = caller == .officerAssigned ? .officerUnassigned : .officerAssigned
            _ = try await freshComplaint(.assigned, assignee: other)
            _ = try await freshComplaint(.assigned, assignee: caller)
        case .dcOther, .commissionerOther:
            _ = try await portal.citizen.fileComplaint(Self.complaintRequest(district: "PSH"), options: a)
            _ = try await portal.citizen.fileComplaint(Self.complaintRequest(district: "MRD"), options: a)
        default:
            _ = try await portal.citizen.fileComplaint(Self.complaintRequest(district: "MRD"), options: a)
            _ = try await portal.citizen.fileComplaint(Self.complaintRequest(district: "PSH"), options: a)
        }
    }

    /// Whether a staff caller may see `c`: officers their assignments (and, on the queue, only
    /// assignment and information events), heads their district, division or province.
    func inScope(_ caller: Caller, _ c: Portal_V1_Complaint, queueKind: Portal_V1_QueueEventKind? = nil) -> Bool {
        switch caller {
        case .officerAssigned, .officerUnassigned:
            c.assignedOfficerIds.contains(account(caller).id)
                && (queueKind == nil || queueKind == .assigned || queueKind == .informationProvided)
        case .dcOwn: c.districtCode == "PSH"
        case .dcOther: c.districtCode == "MRD"
        case .commissionerOwn: c.divisionCode == "DIV-PSH"
        case .commissionerOther: c.divisionCode == "DIV-MRD"
        case .chiefSecretary: true
        case .anonymous, .citizenA, .citizenB, .admin: false
        }
    }

    /// The first complaint a citizen filed (the first entry of his message box).
    func firstComplaintCode(of caller: Caller) -> String {
        caller == .citizenB ? complaintOfB.code : complaint.code
    }

    /// Complaint codes a citizen's messages may refer to: citizen A files every other
    /// complaint in this suite, B only his one.
    func codes(of caller: Caller) -> CodeSet {
        caller == .citizenB ? .only([complaintOfB.code]) : .anyExcept([complaintOfB.code])
    }

    enum CodeSet {
        case only(Set<String>), anyExcept(Set<String>)
        func contains(_ code: String) -> Bool {
            switch self {
            case .only(let s): s.contains(code)
            case .anyExcept(let s): !s.contains(code)
            }
        }
    }
}

/// Starts one portal for the suite (SMS resends without a cooldown, so a cell can ask for one
/// right after registering), builds the fixture, runs the suite, stops the portal.
struct SharedMatrixPortal: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withPortal(configure: { $0.codeResendCooldownMillis = 0 }) { portal in
            let fixture = try await MatrixFixture.make(portal)
            try await MatrixFixture.$current.withValue(fixture) { try await function() }
        }
    }
}

extension Trait where Self == SharedMatrixPortal {
    static var sharedMatrixPortal: Self { Self() }
}
