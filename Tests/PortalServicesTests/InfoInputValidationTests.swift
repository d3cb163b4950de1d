import PortalRPC
import PortalServices
import Testing

/// Careless and hostile input to the information and e-services calls: each is INVALID_ARGUMENT
/// with a message starting with the offending field, and nothing is created by a refusal.
@Suite struct InfoInputValidationTests {
    @Test func publishingCallsNameTheBadField() async throws {
        try await withPortal { p in
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let week = p.time(in: .seconds(7 * 86_400)), past = p.time(in: .seconds(-3600))
            let announcement = InfoRequests.announcement(scope: "PSH", expires: week)
            let announcementCases: [(String, String, @Sendable (inout Portal_V1_PublishAnnouncementRequest) -> Void)] = [
                ("no category", "category", { $0.category = .unspecified }),
                ("unknown category", "category", { $0.category = .UNRECOGNIZED(9) }),
                ("empty title", "title", { $0.title = "" }),
                ("blank title", "title", { $0.title = "   \n " }),
                ("title with a control character", "title", { $0.title = "Alert\u{7}" }),
                ("empty body", "body", { $0.body = "" }),
                ("overlong Urdu body", "body_urdu", { $0.bodyUrdu = String(repeating: "ب", count: 5001) }),
                ("unknown district", "scope_code", { $0.scopeCode = "XYZ" }),
                ("no scope", "scope_code", { $0.scopeCode = "" }),
                ("no expiry", "expires_at", { $0.expiresAt = nil }),
                ("expiry in the past", "expires_at", { $0.expiresAt = past }),
                ("expiry out of range", "expires_at", { $0.expiresAt = .with { $0.seconds = 253_402_300_800 } }),
                ("expiry two years ahead", "expires_at", { $0.expiresAt = p.time(in: .seconds(730 * 86_400)) }),
            ]
            for (label, field, mutate) in announcementCases {
                var r = announcement
                mutate(&r)
                await expectRefused(label, field: field) { try await p.info.publishAnnouncement(r, options: dc.options) }
            }

            let poll = InfoRequests.poll(scope: "PSH", closes: week)
            let pollCases: [(String, String, @Sendable (inout Portal_V1_CreatePollRequest) -> Void)] = [
                ("empty title", "title", { $0.title = "" }),
                ("no questions", "questions", { $0.questions = [] }),
                ("empty question", "questions[0].text", { $0.questions[0].text = "" }),
                ("one option", "questions[0].options", { $0.questions[0].options = [.with { $0.text = "Yes" }] }),
                ("empty option", "questions[0].options[1].text", { $0.questions[0].options[1].text = " " }),
                ("closing in the past", "closes_at", { $0.closesAt = past }),
                ("no closing time", "closes_at", { $0.closesAt = nil }),
                ("closing before opening", "closes_at", { $0.opensAt = p.time(in: .seconds(10 * 86_400)) }),
                ("unknown results setting", "results_visibility", { $0.resultsVisibility = .UNRECOGNIZED(7) }),
                ("unknown scope", "scope_code", { $0.scopeCode = "DIV-XYZ" }),
            ]
            for (label, field, mutate) in pollCases {
                var r = poll
                mutate(&r)
                await expectRefused(label, field: field) { try await p.info.createPoll(r, options: dc.options) }
            }

            let prices = InfoRequests.priceList(district: "PSH")
            let priceCases: [(String, String, @Sendable (inout Portal_V1_PublishPriceListRequest) -> Void)] = [
                ("unknown district", "district_code", { $0.districtCode = "XYZ" }),
                ("a division", "district_code", { $0.districtCode = "DIV-PSH" }),
                ("no items", "items", { $0.items = [] }),
                ("a commodity twice", "items[1].commodity_code", { $0.items[1].commodityCode = "wheat-flour" }),
                ("a bad commodity code", "items[0].commodity_code", { $0.items[0].commodityCode = "Wheat Flour" }),
                ("no name", "items[2].commodity_name", { $0.items[2].commodityName = "" }),
                ("no unit", "items[0].unit", { $0.items[0].unit = "" }),
                ("zero price", "items[1].price_paisa", { $0.items[1].pricePaisa = 0 }),
                ("backdated a week", "effective_from", { $0.effectiveFrom = p.time(in: .seconds(-7 * 86_400)) }),
                ("two months ahead", "effective_from", { $0.effectiveFrom = p.time(in: .seconds(60 * 86_400)) }),
            ]
            for (label, field, mutate) in priceCases {
                var r = prices
                mutate(&r)
                await expectRefused(label, field: field) { try await p.info.publishPriceList(r, options: dc.options) }
            }

            let posting = InfoRequests.posting(place: "PSH", closes: week)
            let postingCases: [(String, String, @Sendable (inout Portal_V1_PublishPostingRequest) -> Void)] = [
                ("no kind", "kind", { $0.kind = .unspecified }),
                ("empty title", "title", { $0.title = "" }),
                ("empty description", "description", { $0.description_p = "" }),
                ("unknown department", "department_code", { $0.departmentCode = "XYZ" }),
                ("unknown district", "jurisdiction_code", { $0.jurisdictionCode = "XYZ" }),
                ("closing in the past", "closes_at", { $0.closesAt = past }),
                ("no closing time", "closes_at", { $0.closesAt = nil }),
                ("an empty required document", "required_documents[1]", { $0.requiredDocuments = ["CNIC", ""] }),
            ]
            for (label, field, mutate) in postingCases {
                var r = posting
                mutate(&r)
                await expectRefused(label, field: field) { try await p.info.publishPosting(r, options: dc.options) }
            }

            // Nothing was created by the refusals.
            let admin = try await p.adminAccount()
            let actions = try await p.admin.listAuditLog(.with { $0.limit = 500 }, options: admin.options).entries.map(\.action)
            #expect(!actions.contains { $0.hasPrefix("announcement.") || $0.hasPrefix("poll.") || $0.hasPrefix("prices.") || $0.hasPrefix("posting.") })
        }
    }

    @Test func applicationsNameTheBadFieldWithoutEchoingTheCNIC() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount(district: "PSH")
            let scan = try await p.uploadScan(citizen.options)
            let request = InfoRequests.domicile(attachments: [scan])
            let cases: [(String, String, @Sendable (inout Portal_V1_ApplyForDomicileRequest) -> Void)] = [
                ("short idempotency key", "idempotency_key", { $0.idempotencyKey = "abc" }),
                ("no details", "domicile", { $0.domicile = nil }),
                ("empty applicant name", "domicile.applicant_name", { $0.domicile!.applicantName = "" }),
                ("father's name with digits", "domicile.father_name", { $0.domicile!.fatherName = "Gul 7" }),
                ("CNIC of 12 digits", "domicile.applicant_cnic", { $0.domicile!.applicantCnic = "17301-987654-2" }),
                ("date of birth in another format", "domicile.date_of_birth", { $0.domicile!.dateOfBirth = "15/04/2001" }),
                ("date of birth not a date", "domicile.date_of_birth", { $0.domicile!.dateOfBirth = "2001-02-30" }),
                ("date of birth in the future", "domicile.date_of_birth", { $0.domicile!.dateOfBirth = "2999-01-01" }),
                ("short address", "domicile.permanent_address", { $0.domicile!.permanentAddress = "Here" }),
                ("residence from the future", "domicile.resident_since_year", { $0.domicile!.residentSinceYear = 3000 }),
                ("unknown district", "district_code", { $0.districtCode = "XYZ" }),
                ("no documents", "attachment_ids", { $0.attachmentIds = [] }),
                ("someone else's upload", "attachment_ids", { $0.attachmentIds = ["AAAAAAAAAAAAAAAAAAAAAAAA"] }),
            ]
            for (label, field, mutate) in cases {
                var r = request
                mutate(&r)
                let error = await rpcError { try await p.eservices.applyForDomicile(r, options: citizen.options) }
                #expect(error?.code == .invalidArgument, "\(label): \(String(describing: error))")
                #expect(error?.message.hasPrefix("\(field): ") == true, "\(label): \(error?.message ?? "accepted")")
                #expect(error?.message.contains("987654") == false && error?.message.contains("17301") == false, "\(label): echoes the CNIC")
            }
            #expect(try await p.eservices.listMyApplications(.init(), options: citizen.options).applications.isEmpty)
            // The upload is still unused: the good request takes it.
            #expect(try await p.eservices.applyForDomicile(request, options: citizen.options).attachments.map(\.id) == [scan])

            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let tracking = try await p.eservices.listMyApplications(.init(), options: citizen.options).applications[0].trackingNumber
            await expectRefused("a rejection without a remark", field: "remark") {
                try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .rejected }, options: dc.options)
            }
            await expectRefused("an officer setting withdrawn", field: "status") {
                try await p.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .withdrawn }, options: dc.options)
            }
            await expectRefused("a malformed tracking number", field: "tracking_number") {
                try await p.eservices.getApplication(.with { $0.trackingNumber = "DOM PSH; DROP" }, options: dc.options)
            }
            await expectRefused("an unknown tracking number", .notFound) {
                try await p.eservices.getApplication(.with { $0.trackingNumber = "DOM-PSH-2020-999999" }, options: dc.options)
            }
        }
    }
}
