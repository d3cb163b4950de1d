import PortalRPC
import PortalServices
import Testing

/// Dashboards per tier: the right scope, counts that add up, counters that agree with an exact
/// count, live updates, and the public headline figures.
@Suite struct DashboardTests {
    /// PSH: 3 complaints (one resolved + satisfied, one resolved + reopened), CSD: 1 (Peshawar
    /// division), MRD: 2 (Mardan division, one resolved + unsatisfied without reopening).
    static func populate(_ p: TestPortal) async throws -> (dcPSH: TestPortal.SignedIn, commissioner: TestPortal.SignedIn, cs: TestPortal.SignedIn) {
        let peshawar = try await p.newCitizen(district: "PSH")
        let charsadda = try await p.newCitizen(district: "CSD")
        let mardan = try await p.newCitizen(district: "MRD")
        let dcPSH = try await p.newStaff(.deputyCommissioner, "PSH")
        let dcMRD = try await p.newStaff(.deputyCommissioner, "MRD")
        let officer = try await p.newStaff(.departmentOfficer, "PSH", department: "PHE")
        let commissioner = try await p.newStaff(.commissioner, "DIV-PSH")
        let cs = try await p.newStaff(.chiefSecretary, "KP")

        let a = try await p.fileComplaint(peshawar, category: "water-supply")
        let b = try await p.fileComplaint(peshawar, category: "street-lights")
        _ = try await p.fileComplaint(peshawar, category: "water-supply")
        _ = try await p.fileComplaint(charsadda, category: "police")
        let m = try await p.fileComplaint(mardan, category: "water-supply")
        _ = try await p.fileComplaint(mardan, category: "schools")

        var assign = Portal_V1_AssignComplaintRequest()
        assign.code = a.code; assign.officerIds = [officer.id]
        _ = try await p.officer.assignComplaint(assign, options: dcPSH.options)
        p.clock.advance(byMillis: 5 * 3_600_000)
        for (code, who) in [(a.code, officer), (b.code, dcPSH), (m.code, dcMRD)] {
            var r = Portal_V1_ResolveComplaintRequest()
            r.code = code; r.remarks = "Fixed."
            _ = try await p.officer.resolveComplaint(r, options: who.options)
        }
        for (code, citizen, satisfied, reopen) in [(a.code, peshawar, true, false), (b.code, peshawar, false, true), (m.code, mardan, false, false)] {
            var f = Portal_V1_SubmitFeedbackRequest()
            f.code = code; f.satisfied = satisfied; f.timeRating = 3; f.qualityRating = 3; f.reopen = reopen
            _ = try await p.citizen.submitFeedback(f, options: citizen.options)
        }
        return (dcPSH, commissioner, cs)
    }

    @Test func scopesAndCounts() async throws {
        try await withPortal { p in
            let (dc, commissioner, cs) = try await Self.populate(p)

            let district = try await p.officer.getDashboard(.init(), options: dc.options)
            #expect(district.scopeCode == "PSH" && district.scopeTier == .district)
            #expect(district.complaints?.total == 3)
            #expect(district.complaints?.closed == 1)      // a: satisfied
            #expect(district.complaints?.pending == 1)     // b: reopened
            #expect(district.complaints?.new == 1)
            #expect(district.citizensRegistered == 1)
            #expect(district.feedbackGiven == 2)
            #expect(district.satisfiedPercent == 50)
            #expect(district.reopenPercent == 50)          // of a and b, b was reopened
            #expect(district.medianResolutionHours == 5)
            #expect(district.byCategory.map(\.categoryCode) == ["street-lights", "water-supply"])
            #expect(district.byOfficer.count == 1 && district.byOfficer.first?.resolved == 1)

            let division = try await p.officer.getDashboard(.init(), options: commissioner.options)
            #expect(division.complaints?.total == 4)
            #expect(division.byDistrict.map(\.districtCode) == ["CSD", "PSH"])
            #expect(division.citizensRegistered == 2)
            // A Commissioner may look at one of his districts, not at another division.
            #expect(try await p.officer.getDashboard(.with { $0.scopeCode = "CSD" }, options: commissioner.options).complaints?.total == 1)
            #expect(await statusOf { try await p.officer.getDashboard(.with { $0.scopeCode = "MRD" }, options: commissioner.options) } == .permissionDenied)
            #expect(await statusOf { try await p.officer.getDashboard(.with { $0.scopeCode = "DIV-PSH" }, options: dc.options) } == .permissionDenied)

            let province = try await p.officer.getDashboard(.init(), options: cs.options)
            #expect(province.complaints?.total == 6)
            #expect(province.feedbackGiven == 3)
            #expect(province.byDistrict.map(\.districtCode) == ["CSD", "MRD", "PSH"])

            // The public figures are the province's.
            let stats = try await p.citizen.getPublicStatistics(.init())
            #expect(stats.citizensRegistered == 3)
            #expect(stats.complaintsReceived == 6)
            #expect(stats.complaintsResolved == 2)     // closed a and m (b was reopened)
            #expect(stats.feedbackGiven == 3)
            #expect(stats.satisfiedCitizens == 1)
        }
    }

    /// The trigger-kept counters (all time) agree with an exact count over a period that
    /// covers everything, after transfers, escalations and reopenings changed the rows.
    @Test func countersAgreeWithExactCounts() async throws {
        try await withPortal { p in
            let (dc, _, cs) = try await Self.populate(p)
            let extra = try await p.newCitizen(district: "PSH")
            let moved = try await p.fileComplaint(extra, category: "roads-bridges")
            var transfer = Portal_V1_TransferComplaintRequest()
            transfer.code = moved.code; transfer.districtCode = "NSR"; transfer.reason = "Road is in Nowshera."
            _ = try await p.officer.transferComplaint(transfer, options: dc.options)
            p.clock.advance(byDays: 16)
            #expect(try await p.app.escalator.scan() > 0)

            let counters = try await p.officer.getDashboard(.init(), options: cs.options)
            var everything = Portal_V1_GetDashboardRequest()
            everything.periodStart = .with { $0.seconds = 1 }
            everything.periodEnd = .with { $0.seconds = 4_000_000_000 }
            let exact = try await p.officer.getDashboard(everything, options: cs.options)
            #expect(counters.complaints == exact.complaints)
            #expect(counters.byDistrict == exact.byDistrict)
            #expect(counters.byCategory == exact.byCategory)
            #expect(counters.escalatedToDivision == exact.escalatedToDivision)
            #expect(counters.escalatedToDivision > 0)
            #expect(counters.feedbackGiven == exact.feedbackGiven)
            #expect(counters.satisfiedPercent == exact.satisfiedPercent)
            #expect(counters.reopenPercent == exact.reopenPercent)
            #expect(counters.citizensRegistered == exact.citizensRegistered)
            #expect(abs(counters.medianResolutionHours - exact.medianResolutionHours) < 1)
            #expect(counters.overdue == exact.overdue && counters.overdue > 0)
        }
    }

    @Test func watchDashboardPushesChanges() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen(district: "PSH")
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            let stream = try await p.officer.watchDashboard(.init(), options: dc.options)
            var it = stream.makeAsyncIterator()
            #expect(try await it.next()?.complaints?.total ?? 0 == 0)
            _ = try await p.fileComplaint(citizen)
            #expect(try await it.next()?.complaints?.total == 1)
        }
    }
}
