import PortalRPC
import PortalServices
import PortalStore
import Testing

/// The officer side beyond the main story: information requests, transfers, systemic issues,
/// officers added by a DC, the live queue.
@Suite struct OfficerWorkflowTests {
    @Test func requestInformationAndAnswer() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen()
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            let c = try await p.fileComplaint(citizen)
            var ask = Portal_V1_RequestInformationRequest()
            ask.code = c.code; ask.question = "Which street exactly?"
            #expect(try await p.officer.requestInformation(ask, options: dc.options).status == .infoRequested)
            // Asking again while waiting is not a valid transition.
            #expect(await statusOf { try await p.officer.requestInformation(ask, options: dc.options) } == .failedPrecondition)
            var answer = Portal_V1_ProvideInformationRequest()
            answer.code = c.code; answer.text = "Street 4, House 12, Gulbahar."
            let answered = try await p.citizen.provideInformation(answer, options: citizen.options)
            #expect(answered.status == .new)  // nobody assigned yet: back to the DC's queue
            #expect(answered.timeline.contains { $0.actorRole == .citizen && $0.change == .remark("Street 4, House 12, Gulbahar.") })
            let box = try await p.citizen.listMessages(.init(), options: citizen.options)
            #expect(box.messages.contains { $0.kind == .informationRequested && $0.text.contains("Which street exactly?") })
        }
    }

    /// A Commissioner's list is his division's districts, the Chief Secretary's every district
    /// (read through the district index since migration 0009): right members, counts, pages,
    /// status filters, and a transfer moves a complaint out of the division's list.
    @Test func divisionAndProvinceListsAreTheirDistricts() async throws {
        try await withPortal { p in
            let psh = try await p.newCitizen(district: "PSH"), mrd = try await p.newCitizen(district: "MRD")
            let dcPSH = try await p.newStaff(.deputyCommissioner, "PSH")
            let commissioner = try await p.newStaff(.commissioner, "DIV-PSH")
            let cs = try await p.newStaff(.chiefSecretary, "KP")
            var division: [String] = []
            for district in ["PSH", "CSD", "PSH", "NSR"] { division.append(try await p.fileComplaint(psh, district: district).code) }
            let mardan = try await p.fileComplaint(mrd).code
            _ = try await p.officer.resolveComplaint(.with { $0.code = division[0]; $0.remarks = "Supply restored." }, options: dcPSH.options)
            func list(_ who: TestPortal.SignedIn, scope: String = "", statuses: [Portal_V1_ComplaintStatus] = [],
                      size: UInt32 = 0, token: String = "") async throws -> Portal_V1_ListComplaintsResponse {
                try await p.officer.listComplaints(.with {
                    $0.scopeCode = scope; $0.statuses = statuses; $0.page = .with { $0.pageSize = size; $0.pageToken = token }
                }, options: who.options)
            }
            let all = try await list(commissioner)
            #expect(all.complaints.map(\.code) == division.reversed() && all.page?.totalCount == 4)
            let open = try await list(commissioner, statuses: [.new])
            #expect(open.complaints.map(\.code) == division.dropFirst().reversed() && open.page?.totalCount == 3)
            let first = try await list(commissioner, size: 3)
            #expect(first.complaints.map(\.code) == Array(division.reversed().prefix(3)))
            let token = first.page?.nextPageToken ?? ""
            #expect(!token.isEmpty)
            let second = try await list(commissioner, size: 3, token: token)
            #expect(second.complaints.map(\.code) == [division[0]] && second.page?.nextPageToken == "")
            #expect(try await list(commissioner, scope: "CSD").complaints.map(\.code) == [division[1]])
            let province = try await list(cs, statuses: [.new])
            #expect(Set(province.complaints.map(\.code)) == Set(division.dropFirst() + [mardan]) && province.page?.totalCount == 4)
            #expect(try await list(cs, scope: "DIV-MRD").complaints.map(\.code) == [mardan])
            // A transfer to Mardan moves it from one division's list to the other's.
            _ = try await p.officer.transferComplaint(.with { $0.code = division[2]; $0.districtCode = "MRD"; $0.reason = "It is in Mardan." },
                                                      options: dcPSH.options)
            #expect(try await list(commissioner).page?.totalCount == 3)
            #expect(Set(try await list(cs, scope: "DIV-MRD").complaints.map(\.code)) == [mardan, division[2]])
        }
    }

    @Test func transferMovesToTheOtherDistrictQueue() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen()
            let dcPSH = try await p.newStaff(.deputyCommissioner, "PSH")
            let dcMRD = try await p.newStaff(.deputyCommissioner, "MRD")
            let c = try await p.fileComplaint(citizen)
            var t = Portal_V1_TransferComplaintRequest()
            t.code = c.code; t.districtCode = "MRD"; t.reason = "The school is in Mardan."
            let moved = try await p.officer.transferComplaint(t, options: dcPSH.options)
            #expect(moved.districtCode == "MRD" && moved.divisionCode == "DIV-MRD" && moved.status == .new)
            #expect(moved.code == c.code)  // the code the citizen holds stays valid
            // Now Mardan's DC has it and Peshawar's no longer does.
            #expect(try await p.officer.listComplaints(.init(), options: dcMRD.options).complaints.map(\.code) == [c.code])
            #expect(await statusOf { try await p.officer.getComplaint(.with { $0.code = c.code }, options: dcPSH.options) } == .permissionDenied)
            t.districtCode = "MRD"
            #expect(await rpcError { try await p.officer.transferComplaint(t, options: dcMRD.options) }?.message.hasPrefix("district_code:") == true)
        }
    }

    @Test func systemicStaysOpenAndVisible() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen()
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            let c = try await p.fileComplaint(citizen)
            var s = Portal_V1_MarkSystemicRequest()
            s.code = c.code; s.remark = "Needs a new water scheme; referred to the provincial budget."
            #expect(try await p.officer.markSystemic(s, options: dc.options).status == .systemic)
            // Still listed, not escalated, and the citizen was told.
            var list = Portal_V1_ListComplaintsRequest()
            list.statuses = [.systemic]
            #expect(try await p.officer.listComplaints(list, options: dc.options).complaints.count == 1)
            p.clock.advance(byDays: 25)  // past both thresholds, within the session's 30 days
            #expect(try await p.app.escalator.scan() == 0)
            #expect(try await p.citizen.listMessages(.init(), options: citizen.options).messages.last?.kind == .complaintSystemic)
        }
    }

    @Test func dcAddsOfficersToHisDistrictOnly() async throws {
        try await withPortal { p in
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            var add = Portal_V1_AddOfficerRequest()
            add.name = "Gul Rehman"; add.username = "gul.rehman"; add.departmentCode = "PHE"; add.designation = "XEN PHE"
            let added = try await p.officer.addOfficer(add, options: dc.options)
            #expect(added.officer?.role == .departmentOfficer && added.officer?.jurisdictionCode == "PSH")
            #expect(added.oneTimePassword.count >= 12)
            // The officer signs in with the one-time password.
            var login = Portal_V1_StaffLoginRequest()
            login.username = "gul.rehman"; login.password = added.oneTimePassword
            #expect(try await p.officer.login(login).role == .departmentOfficer)
            add.username = "other.one"; add.districtCode = "MRD"
            #expect(await statusOf { try await p.officer.addOfficer(add, options: dc.options) } == .permissionDenied)
            add.districtCode = ""; add.username = "gul.rehman"
            #expect(await rpcError { try await p.officer.addOfficer(add, options: dc.options) }?.code == .alreadyExists)
            #expect(try await p.officer.listOfficers(.init(), options: dc.options).officers.map(\.username) == ["gul.rehman"])
        }
    }

    @Test func watchQueueSeesOwnScopeOnly() async throws {
        try await withPortal { p in
            let peshawar = try await p.newCitizen(district: "PSH")
            let mardan = try await p.newCitizen(district: "MRD")
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            let queue = try await p.officer.watchQueue(.init(), options: dc.options)
            var it = queue.makeAsyncIterator()
            try await p.queueWatchers(reach: 1)
            _ = try await p.fileComplaint(mardan)      // not his district: never delivered
            let mine = try await p.fileComplaint(peshawar)
            let event = try await it.next()
            #expect(event?.kind == .new && event?.complaint?.code == mine.code)
        }
    }
}

/// The admin side: policy, staff changes, blocking, and the audit chain's tamper evidence.
@Suite struct AdminTests {
    @Test func escalationPolicyDrivesTheScheduler() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            var policy = Portal_V1_EscalationPolicy()
            policy.divisionAfterDays = 3; policy.provinceAfterDays = 5; policy.maxReopens = 1
            _ = try await p.admin.setEscalationPolicy(policy, options: admin.options)
            #expect(try await p.admin.getEscalationPolicy(.init(), options: admin.options) == policy)
            let citizen = try await p.newCitizen()
            _ = try await p.fileComplaint(citizen)
            p.clock.advance(byDays: 3)
            #expect(try await p.app.escalator.scan() == 1)
            policy.provinceAfterDays = 2
            #expect(await rpcError { try await p.admin.setEscalationPolicy(policy, options: admin.options) }?.message.hasPrefix("province_after_days") == true)
        }
    }

    @Test func deactivatingStaffRevokesTheSession() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            #expect(try await p.officer.getMe(.init(), options: dc.options).role == .deputyCommissioner)
            var u = Portal_V1_UpdateStaffRequest()
            u.staffId = dc.id; u.active = false
            #expect(try await p.admin.updateStaff(u, options: admin.options).active == false)
            #expect(await statusOf { try await p.officer.getMe(.init(), options: dc.options) } == .unauthenticated)
        }
    }

    @Test func auditChainDetectsTampering() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            let citizen = try await p.newCitizen()
            _ = try await p.fileComplaint(citizen)
            let before = try await p.admin.verifyAuditLog(.init(), options: admin.options)
            #expect(before.intact && before.entriesChecked >= 4)
            // Someone with database access rewrites history.
            try await p.app.core.store.write { db in
                try db.run("UPDATE audit_log SET detail = 'nothing to see' WHERE action = 'complaint.file'")
            }
            let after = try await p.admin.verifyAuditLog(.init(), options: admin.options)
            #expect(!after.intact)
            let tampered = try await p.admin.listAuditLog(.init(), options: admin.options).entries.first { $0.action == "complaint.file" }
            #expect(after.firstBadSequence == tampered?.sequence)
        }
    }

    @Test func blockedCitizenIsLockedOut() async throws {
        try await withPortal { p in
            let admin = try await p.adminSession()
            let citizen = try await p.newCitizen()
            var b = Portal_V1_BlockCitizenRequest()
            b.citizenId = citizen.id; b.reason = "Abusive complaints."
            #expect(try await p.admin.blockCitizen(b, options: admin.options).blocked)
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: citizen.options) } == .unauthenticated)
            #expect(try await p.admin.unblockCitizen(b, options: admin.options).blocked == false)
        }
    }
}
