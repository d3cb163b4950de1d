import PortalRPC
import PortalServices
import Testing

/// E-Citizen: e-domicile with documents through the upload path, processing by officers in
/// their jurisdiction, status changes reaching the message box and the watch stream, department
/// back ends pushing updates with their own keys, and revenue cases with followers.
@Suite struct EServicesTests {
    @Test func domicileIsProcessedInJurisdictionAndEveryChangeReachesTheCitizen() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount(district: "PSH")
            let officer = try await p.staffAccount(.departmentOfficer, "PSH", department: "DAD")
            let healthOfficer = try await p.staffAccount(.departmentOfficer, "PSH", department: "HLT")
            let mardanOfficer = try await p.staffAccount(.departmentOfficer, "MRD", department: "DAD")
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let updates = StreamTap(try await p.citizen.watchUpdates(.init(), options: citizen.options)) { MessageSeen($0) }
            defer { updates.cancel() }

            let cnicScan = try await p.uploadScan(citizen.options)
            let request = InfoRequests.domicile(key: "domicile-sana-0001", attachments: [cnicScan])
            let application = try await p.eservices.applyForDomicile(request, options: citizen.options)
            let tracking = application.trackingNumber
            #expect(tracking == "DOM-PSH-\(CivilYear.now(p.clock))-000001")
            #expect(application.status == .submitted && application.departmentCode == "DAD" && application.divisionCode == "DIV-PSH")
            #expect(application.attachments.map(\.id) == [cnicScan] && application.domicile.applicantCnic == "1730112345672")
            #expect(try await p.eservices.applyForDomicile(request, options: citizen.options).id == application.id)
            // The document now belongs to the application: it cannot be attached to a complaint.
            await expectRefused("reusing the upload", field: "attachment_ids") {
                try await p.citizen.fileComplaint(.with { f in
                    f.idempotencyKey = "reuse-0001"; f.categoryCode = "water-supply"
                    f.description_p = "No water supply in our street for five days."; f.attachmentIds = [cnicScan]
                }, options: citizen.options)
            }

            // Who may handle it.
            #expect(try await p.eservices.listApplications(.init(), options: officer.options).applications.map(\.trackingNumber) == [tracking])
            #expect(try await p.eservices.listApplications(.init(), options: officer.options).applications.first?.details == nil)
            #expect(try await p.eservices.listApplications(.init(), options: healthOfficer.options).applications.isEmpty)
            await expectRefused("another department's officer", .permissionDenied) {
                try await p.eservices.getApplication(.with { $0.trackingNumber = tracking }, options: healthOfficer.options)
            }
            await expectRefused("another district's officer", .permissionDenied) {
                try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .underReview }, options: mardanOfficer.options)
            }

            _ = try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .underReview }, options: dc.options)
            _ = try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.remark = "Appear on Monday for biometric verification." },
                                                              options: officer.options)
            _ = try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .approved }, options: officer.options)
            let done = try await p.eservices.updateApplicationStatus(.with { r in
                r.trackingNumber = tracking.lowercased(); r.status = .completed; r.remark = "Collect the certificate from counter 3."
            }, options: officer.options)
            #expect(done.status == .completed)
            #expect(done.history.map(\.status) == [.submitted, .underReview, .unspecified, .approved, .completed])
            #expect(done.history.map(\.actorRole) == [.citizen, .deputyCommissioner, .departmentOfficer, .departmentOfficer, .departmentOfficer])
            await expectRefused("rejecting a completed application", .failedPrecondition) {
                try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .rejected; $0.remark = "No." }, options: dc.options)
            }
            await expectRefused("withdrawing a completed application", .failedPrecondition) {
                try await p.eservices.withdrawApplication(.with { $0.trackingNumber = tracking }, options: citizen.options)
            }

            // The citizen heard of every change, live, as with complaints.
            let seen = await updates.wait(for: 5, within: .seconds(30)).items
            #expect(seen.count == 5 && seen.allSatisfy { $0.kind == .applicationStatus && $0.reference == tracking })
            #expect(seen.map(\.text).contains { $0.contains("biometric") })
            #expect(try await p.eservices.listMyApplications(.init(), options: citizen.options).applications.map(\.status) == [.completed])
        }
    }

    @Test func citizenWithdrawsBeforeADecision() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount(district: "SWT")
            let other = try await p.citizenAccount(district: "SWT")
            let application = try await p.eservices.applyForDomicile(InfoRequests.domicile(attachments: [try await p.uploadScan(citizen.options)]),
                                                                     options: citizen.options)
            #expect(application.trackingNumber.hasPrefix("DOM-SWT-"))
            await expectRefused("someone else's application", .permissionDenied) {
                try await p.eservices.withdrawApplication(.with { $0.trackingNumber = application.trackingNumber }, options: other.options)
            }
            let withdrawn = try await p.eservices.withdrawApplication(.with { $0.trackingNumber = application.trackingNumber; $0.reason = "Applied twice." },
                                                                      options: citizen.options)
            #expect(withdrawn.status == .withdrawn)
            await expectRefused("an officer moving a withdrawn application", .failedPrecondition) {
                let dc = try await p.staffAccount(.deputyCommissioner, "SWT")
                return try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = application.trackingNumber; $0.status = .approved }, options: dc.options)
            }
        }
    }

    @Test func departmentBackEndPushesUpdatesWithItsOwnKey() async throws {
        try await withPortal { p in
            let admin = try await p.adminAccount()
            let citizen = try await p.citizenAccount(district: "PSH")
            let application = try await p.eservices.applyForDomicile(InfoRequests.domicile(attachments: [try await p.uploadScan(citizen.options)]),
                                                                     options: citizen.options)
            let (client, key) = try await p.integrationKey(department: "DAD", admin: admin)
            let (_, healthKey) = try await p.integrationKey(department: "HLT", admin: admin)
            #expect(client.active && client.keyPrefix.hasPrefix("kpi_"))

            let feed = try await p.integration.listDepartmentApplications(.init(), options: key)
            #expect(feed.applications.map(\.trackingNumber) == [application.trackingNumber])
            #expect(feed.applications.first?.domicile.applicantName == "Sana Gul")
            #expect(try await p.integration.listDepartmentApplications(.init(), options: healthKey).applications.isEmpty)

            let push = Portal_V1_PushApplicationStatusRequest.with { r in
                r.eventId = "dom-backend-evt-0001"; r.trackingNumber = application.trackingNumber; r.status = .approved
                r.remark = "Verified against the district record."; r.externalReference = "DOMSYS/2026/4471"
            }
            let approved = try await p.integration.pushApplicationStatus(push, options: key)
            #expect(approved.status == .approved && approved.externalReference == "DOMSYS/2026/4471")
            #expect(approved.history.last?.byIntegration == true && approved.history.last?.actorName == "DAD back end")
            // A retried push changes nothing.
            #expect(try await p.integration.pushApplicationStatus(push, options: key).history.count == approved.history.count)
            let box = try await p.citizen.listMessages(.init(), options: citizen.options).messages
            #expect(box.count == 2 && box.last?.text.contains("approved") == true)

            await expectRefused("another department's key", .permissionDenied) {
                try await p.integration.pushApplicationStatus(.with { r in r = push; r.eventId = "hlt-evt-000001" }, options: healthKey)
            }
            await expectRefused("a move the rules do not allow", .failedPrecondition) {
                try await p.integration.pushApplicationStatus(.with { r in r = push; r.eventId = "dom-backend-evt-0002"; r.status = .underReview }, options: key)
            }
            // Keys and sessions are not interchangeable.
            await expectRefused("an admin session on IntegrationService", .unauthenticated) {
                try await p.integration.listDepartmentApplications(.init(), options: admin.options)
            }
            await expectRefused("an API key on EServicesService", .unauthenticated) { try await p.eservices.listIntegrationClients(.init(), options: key) }
            await expectRefused("no key", .unauthenticated) { try await p.integration.listDepartmentApplications(.init()) }

            // Audited as the back end; revocation ends the key at once.
            let audit = try await p.admin.listAuditLog(.with { $0.limit = 500 }, options: admin.options).entries
            #expect(audit.contains { $0.actorId == "integration:\(client.id)" && $0.action == "application.update" && $0.target == application.trackingNumber })
            #expect(try await p.admin.verifyAuditLog(.init(), options: admin.options).intact)
            let revoked = try await p.eservices.revokeIntegrationClient(.with { $0.clientId = client.id }, options: admin.options)
            #expect(!revoked.active)
            await expectRefused("a revoked key", .unauthenticated) { try await p.integration.listDepartmentApplications(.init(), options: key) }
            #expect(try await p.eservices.listIntegrationClients(.init(), options: admin.options).clients.map(\.active) == [false, true])
        }
    }

    @Test func revenueCaseChangesReachFollowers() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount(district: "MRD")
            let (_, revenue) = try await p.integrationKey(department: "BOR")
            let (_, other) = try await p.integrationKey(department: "DAD")
            var revenueCase = Portal_V1_RevenueCase.with { c in
                c.caseNumber = "MUT/MRD/2026/117"; c.title = "Gul Khan vs Province"; c.caseType = "Mutation appeal"
                c.court = "Assistant Commissioner, Mardan"; c.districtCode = "MRD"; c.status = .instituted
            }
            _ = try await p.integration.pushRevenueCase(.with { $0.revenueCase = revenueCase }, options: revenue)
            let looked = try await p.eservices.getRevenueCase(.with { $0.caseNumber = "mut/mrd/2026/117" }, options: citizen.options)
            #expect(looked.departmentCode == "BOR" && !looked.following)
            #expect(try await p.eservices.followRevenueCase(.with { $0.caseNumber = "MUT/MRD/2026/117"; $0.follow = true }, options: citizen.options).following)
            let updates = StreamTap(try await p.citizen.watchUpdates(.init(), options: citizen.options)) { MessageSeen($0) }
            defer { updates.cancel() }

            revenueCase.status = .underHearing
            revenueCase.nextHearingAt = p.time(in: .seconds(10 * 86_400))
            _ = try await p.integration.pushRevenueCase(.with { $0.revenueCase = revenueCase }, options: revenue)
            revenueCase.hearings = [.with { h in h.at = revenueCase.nextHearingAt!; h.court = revenueCase.court; h.purpose = "Arguments"; h.outcome = "Heard" }]
            revenueCase.status = .decided
            revenueCase.decision = "Appeal accepted; mutation No. 2231 restored."
            let decided = try await p.integration.pushRevenueCase(.with { $0.revenueCase = revenueCase }, options: revenue)
            #expect(decided.hearings.count == 1 && decided.status == .decided)

            let seen = await updates.wait(for: 2, within: .seconds(30)).items
            #expect(seen.map(\.reference) == ["MUT/MRD/2026/117", "MUT/MRD/2026/117"])
            #expect(seen.first?.text.contains("next hearing") == true && seen.last?.text.contains("decided") == true)
            #expect(try await p.eservices.listMyRevenueCases(.init(), options: citizen.options).cases.map(\.caseNumber) == ["MUT/MRD/2026/117"])

            await expectRefused("another department's back end", .permissionDenied) {
                try await p.integration.pushRevenueCase(.with { $0.revenueCase = revenueCase }, options: other)
            }
            await expectRefused("an unknown district", field: "revenue_case.district_code") {
                try await p.integration.pushRevenueCase(.with { r in r.revenueCase = revenueCase; r.revenueCase?.districtCode = "XYZ" }, options: revenue)
            }
            await expectRefused("an unknown case", .notFound) {
                try await p.eservices.followRevenueCase(.with { $0.caseNumber = "NO/SUCH/1"; $0.follow = true }, options: citizen.options)
            }
        }
    }
}
