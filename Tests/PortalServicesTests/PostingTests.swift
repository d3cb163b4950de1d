import PortalRPC
import PortalServices
import Testing

/// Government jobs, tenders and internships: publishing in scope, public lists with filters,
/// closing and withdrawal, and internship applications (once per citizen, tracked).
@Suite struct PostingTests {
    @Test func jobsAndTendersListWithFiltersAndClose() async throws {
        try await withPortal { p in
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let commissionerMardan = try await p.staffAccount(.commissioner, "DIV-MRD")
            let chiefSecretary = try await p.staffAccount(.chiefSecretary, "KP")
            let month = p.time(in: .seconds(30 * 86_400))
            let job = try await p.info.publishPosting(InfoRequests.posting(place: "PSH", closes: month), options: dc.options)
            #expect(job.status == .open && job.publisherName == "Deputy Commissioner, Peshawar")
            let tender = try await p.info.publishPosting(InfoRequests.posting(.tender, place: "PSH", department: "CNW", closes: p.time(in: .seconds(3600))),
                                                         options: dc.options)
            let mardanJob = try await p.info.publishPosting(InfoRequests.posting(place: "MRD", department: "ESE", closes: month), options: commissionerMardan.options)
            let provincial = try await p.info.publishPosting(InfoRequests.posting(.internship, place: "KP", department: "HED", closes: month),
                                                             options: chiefSecretary.options)
            await expectRefused("a DC publishing for another district", .permissionDenied) {
                try await p.info.publishPosting(InfoRequests.posting(place: "MRD", closes: month), options: dc.options)
            }

            func ids(_ build: (inout Portal_V1_ListPostingsRequest) -> Void) async throws -> [UInt64] {
                try await p.info.listPostings(.with(build)).postings.map(\.id)
            }
            #expect(try await ids { _ in } == [provincial.id, mardanJob.id, tender.id, job.id])
            // A district: its own postings and those of its division and province.
            #expect(try await ids { $0.districtCode = "PSH" } == [provincial.id, tender.id, job.id])
            #expect(try await ids { $0.districtCode = "SWB" } == [provincial.id])
            #expect(try await ids { $0.departmentCode = "HLT" } == [job.id])
            #expect(try await ids { $0.kind = .tender } == [tender.id])
            #expect(try await ids { $0.districtCode = "PSH"; $0.departmentCode = "CNW"; $0.openOnly = true } == [tender.id])

            // The tender closes: still listed, but not as open.
            p.clock.advance(byMillis: 2 * 3_600_000)
            #expect(try await ids { $0.openOnly = true } == [provincial.id, mardanJob.id, job.id])
            #expect(try await p.info.getPosting(.with { $0.id = tender.id }).status == .closed)

            // Withdrawn: out of the lists, still readable with its reason.
            await expectRefused("withdrawing another district's posting", .permissionDenied) {
                try await p.info.withdrawPosting(.with { $0.id = mardanJob.id; $0.reason = "Mistake." }, options: dc.options)
            }
            let withdrawn = try await p.info.withdrawPosting(.with { $0.id = job.id; $0.reason = "Post re-advertised." }, options: dc.options)
            #expect(withdrawn.status == .withdrawn && withdrawn.withdrawalReason == "Post re-advertised." && withdrawn.title == job.title)
            #expect(try await ids { $0.districtCode = "PSH" } == [provincial.id, tender.id])
            await expectRefused("withdrawing twice", .failedPrecondition) {
                try await p.info.withdrawPosting(.with { $0.id = job.id; $0.reason = "Again." }, options: dc.options)
            }
            await expectRefused("an unknown district filter", field: "district_code") { try await p.info.listPostings(.with { $0.districtCode = "XYZ" }) }
        }
    }

    @Test func internshipApplicationsAreOncePerCitizenAndTracked() async throws {
        try await withPortal { p in
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let officer = try await p.staffAccount(.departmentOfficer, "PSH", department: "ESE")
            let otherDepartment = try await p.staffAccount(.departmentOfficer, "PSH", department: "HLT")
            let ayesha = try await p.citizenAccount(district: "PSH")
            let bilal = try await p.citizenAccount(district: "NSR")
            let internship = try await p.info.publishPosting(InfoRequests.posting(.internship, place: "PSH", department: "ESE", closes: p.time(in: .seconds(86_400))),
                                                             options: dc.options)
            let job = try await p.info.publishPosting(InfoRequests.posting(place: "PSH", closes: p.time(in: .seconds(86_400))), options: dc.options)
            let request = Portal_V1_ApplyForInternshipRequest.with { r in
                r.idempotencyKey = "intern-ayesha-1"; r.postingId = internship.id; r.qualification = "BS Computer Science"
                r.institution = "University of Peshawar"; r.statement = "I would like to help digitise school records."
            }
            let applied = try await p.eservices.applyForInternship(request, options: ayesha.options)
            #expect(applied.kind == .internship && applied.status == .submitted && applied.departmentCode == "ESE" && applied.districtCode == "PSH")
            #expect(applied.trackingNumber.hasPrefix("INT-PSH-\(CivilYear.now(p.clock))-"))
            #expect(applied.internship.postingTitle == internship.title && applied.history.map(\.status) == [.submitted])
            #expect(try await p.eservices.applyForInternship(request, options: ayesha.options).trackingNumber == applied.trackingNumber)
            await expectRefused("a second application", .alreadyExists, field: "posting_id") {
                try await p.eservices.applyForInternship(.with { r in r = request; r.idempotencyKey = "intern-ayesha-2" }, options: ayesha.options)
            }
            await expectRefused("applying to a job posting", .notFound) {
                try await p.eservices.applyForInternship(.with { r in r = request; r.idempotencyKey = "intern-ayesha-3"; r.postingId = job.id }, options: ayesha.options)
            }

            // Tracked like any application: the department's officer in the district processes it.
            #expect(try await p.eservices.listApplications(.init(), options: officer.options).applications.map(\.trackingNumber) == [applied.trackingNumber])
            #expect(try await p.eservices.listApplications(.init(), options: otherDepartment.options).applications.isEmpty)
            let approved = try await p.eservices.updateApplicationStatus(.with { r in
                r.trackingNumber = applied.trackingNumber; r.status = .approved; r.remark = "Report on 1 July to the District Education Officer."
            }, options: officer.options)
            #expect(approved.status == .approved && approved.history.count == 2)
            let box = try await p.citizen.listMessages(.init(), options: ayesha.options).messages
            #expect(box.map(\.kind) == [.applicationStatus, .applicationStatus] && box.allSatisfy { $0.referenceCode == applied.trackingNumber })
            #expect(box.last?.text.contains("approved") == true)

            // Closed: no more applications.
            p.clock.advance(byDays: 2)
            await expectRefused("applying after the closing time", .failedPrecondition) {
                try await p.eservices.applyForInternship(.with { r in r = request; r.idempotencyKey = "intern-bilal-1" }, options: bilal.options)
            }
            // A retry of the first application still returns it.
            #expect(try await p.eservices.applyForInternship(request, options: ayesha.options).trackingNumber == applied.trackingNumber)
        }
    }
}
