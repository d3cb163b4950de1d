import Foundation
import PortalRPC
import PortalServices
import Synchronization
import Testing

/// Hostile and careless input over the socket: each is refused with the documented status, a
/// message that starts with the offending field's wire name, and no echo of the CNIC, mobile
/// number, password or SMS code that was sent. Then the account defences: duplicate
/// registration, SMS code attempts, sign-in lockout, session expiry, logout and blocking.
@Suite struct InputValidationTests {
    // MARK: Registration

    @Test func registerRejectsEachBadFieldByName() async throws {
        try await withPortal { p in
            let base = NewCitizenValues()
            let cases: [(String, String, @Sendable (inout Portal_V1_RegisterRequest) -> Void)] = [
                ("empty name", "name", { $0.name = "" }),
                ("blank name", "name", { $0.name = "   " }),
                ("name with digits", "name", { $0.name = "Agent 007" }),
                ("name with markup", "name", { $0.name = "<script>alert(1)</script>" }),
                ("name with a bidi override", "name", { $0.name = "Ali \u{202E}nahK" }),
                ("CNIC with misplaced dashes", "cnic", { $0.cnic = "173011-234567-1" }),
                ("CNIC with a dash too many", "cnic", { $0.cnic = "17301-1234567-1-" }),
                ("CNIC with letters", "cnic", { $0.cnic = "17301-12AB567-1" }),
                ("CNIC of 12 digits", "cnic", { $0.cnic = "17301-123456-1" }),
                ("CNIC of 14 digits", "cnic", { $0.cnic = "17301-12345678-1" }),
                ("CNIC of zeros", "cnic", { $0.cnic = "00000-0000000-0" }),
                ("empty CNIC", "cnic", { $0.cnic = "" }),
                ("mobile 0400…", "mobile", { $0.mobile = "04001234567" }),
                ("landline", "mobile", { $0.mobile = "0915701234" }),
                ("mobile with letters", "mobile", { $0.mobile = "0300-CALLME1" }),
                ("empty mobile", "mobile", { $0.mobile = "" }),
                ("email without domain", "email", { $0.email = "gul.bano@" }),
                ("email without top-level domain", "email", { $0.email = "gul.bano@localhost" }),
                ("email without @", "email", { $0.email = "gul.bano.example.com" }),
                ("unknown district", "district_code", { $0.districtCode = "XYZ" }),
                ("a division for a district", "district_code", { $0.districtCode = "DIV-PSH" }),
                ("no district", "district_code", { $0.districtCode = "" }),
                ("empty password", "password", { $0.password = "" }),
                ("short password", "password", { $0.password = "Swat1" }),
                ("password without a digit", "password", { $0.password = "onlyletterswordhere" }),
                ("common password", "password", { $0.password = "Pakistan123" }),
                ("password equal to the CNIC digits", "password", { $0.password = base.cnicDigits }),
                ("password equal to the CNIC", "password", { $0.password = base.cnic }),
                ("password containing the CNIC", "password", { $0.password = "Cnic" + base.cnicDigits }),
                ("password containing the mobile", "password", { $0.password = "Mobile" + base.mobile }),
            ]
            for (label, field, mutate) in cases {
                var request = base.request
                mutate(&request)
                await expectRejected(label, field: field, hiding: secrets(of: request)) {
                    try await p.citizen.register(request)
                }
            }
            // Nothing was created by the rejects: the base request itself registers.
            _ = try await p.citizen.register(base.request)
        }
    }

    @Test func duplicateRegistrationNamesTheTakenField() async throws {
        try await withPortal { p in
            let first = NewCitizenValues()
            _ = try await p.register(first)

            // The same CNIC written without dashes, with a new mobile number.
            var sameCNIC = NewCitizenValues()
            sameCNIC.cnic = first.cnicDigits
            await expectRejected("same CNIC", .alreadyExists, field: "cnic", hiding: secrets(of: sameCNIC.request) + [first.cnic]) {
                try await p.citizen.register(sameCNIC.request)
            }
            // The same mobile number in international form, with a new CNIC.
            var sameMobile = NewCitizenValues()
            sameMobile.mobile = first.mobileE164
            await expectRejected("same mobile", .alreadyExists, field: "mobile", hiding: secrets(of: sameMobile.request) + [first.mobile]) {
                try await p.citizen.register(sameMobile.request)
            }
        }
    }

    // MARK: Complaints

    @Test func fileComplaintRejectsEachBadFieldByName() async throws {
        try await withPortal { p in
            let a = try await p.citizenAccount()
            let b = try await p.citizenAccount()
            let ofB = try await p.citizen.uploadAttachment(options: b.options, requests: Uploads.requests(Uploads.jpeg))
            let base = Portal_V1_FileComplaintRequest.with { f in
                f.idempotencyKey = "validation-0001"; f.categoryCode = "water-supply"
                f.description_p = "No water supply in our street for five days."
            }
            let uploadLike = (0..<11).map { "ZmFrZS11cGxvYWQtaWQtMDA\($0)" }
            let cases: [(String, String, @Sendable (inout Portal_V1_FileComplaintRequest) -> Void)] = [
                ("description of 9 characters", "description", { $0.description_p = "Too short" }),
                ("blank description", "description", { $0.description_p = "              " }),
                ("description with control characters", "description", { $0.description_p = "Water \u{07} bell \u{1B}[2J cleared screen" }),
                ("description with a C1 control character", "description", { $0.description_p = "Water supply \u{85}next line of C1" }),
                ("description with DEL", "description", { $0.description_p = "Water supply \u{7F} deleted" }),
                ("unknown category", "category_code", { $0.categoryCode = "flying-carpets" }),
                ("no category", "category_code", { $0.categoryCode = "" }),
                ("idempotency key of 3 characters", "idempotency_key", { $0.idempotencyKey = "abc" }),
                ("idempotency key with spaces", "idempotency_key", { $0.idempotencyKey = "key with spaces" }),
                ("idempotency key with a slash", "idempotency_key", { $0.idempotencyKey = "../../etc/passwd" }),
                ("idempotency key of 65 characters", "idempotency_key", { $0.idempotencyKey = String(repeating: "k", count: 65) }),
                ("latitude 91", "location", { $0.location = .with { $0.latitude = 91; $0.longitude = 71.52 } }),
                ("longitude 181", "location", { $0.location = .with { $0.latitude = 34.01; $0.longitude = 181 } }),
                ("latitude NaN", "location", { $0.location = .with { $0.latitude = .nan; $0.longitude = 71.52 } }),
                ("unknown district", "district_code", { $0.districtCode = "XYZ" }),
                ("a division for a district", "district_code", { $0.districtCode = "DIV-PSH" }),
                ("11 attachments", "attachment_ids", { $0.attachmentIds = uploadLike }),
                ("an attachment twice", "attachment_ids", { $0.attachmentIds = [ofB.id, ofB.id] }),
                ("an id that is no upload id", "attachment_ids", { $0.attachmentIds = ["'; DROP TABLE attachments; --"] }),
                ("someone else's attachment", "attachment_ids", { $0.attachmentIds = [ofB.id] }),
            ]
            for (label, field, mutate) in cases {
                var request = base
                mutate(&request)
                await expectRejected(label, field: field) { try await p.citizen.fileComplaint(request, options: a.options) }
            }
            // None of the rejects filed anything, and B's upload is still his to use.
            #expect(try await p.citizen.listMyComplaints(.init(), options: a.options).page?.totalCount == 0)
            var withB = base
            withB.attachmentIds = [ofB.id]
            let filedByB = try await p.citizen.fileComplaint(withB, options: b.options)
            #expect(filedByB.attachments.map(\.id) == [ofB.id])
            _ = try await p.citizen.fileComplaint(base, options: a.options)
        }
    }

    @Test func feedbackMessagesAndOfficerActionsRejectBadArguments() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount()
            let admin = try await p.adminAccount()
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH", admin: admin)
            let officerOfMardan = try await p.staffAccount(.departmentOfficer, "MRD", department: "PHE", admin: admin)
            let complaint = try await p.fileComplaint(citizen.signedIn)
            _ = try await p.officer.resolveComplaint(.with { $0.code = complaint.code; $0.remarks = "Repaired." }, options: dc.options)

            func feedback(time: UInt32, quality: UInt32) -> Portal_V1_SubmitFeedbackRequest {
                .with { $0.code = complaint.code; $0.satisfied = true; $0.timeRating = time; $0.qualityRating = quality }
            }
            for (label, field, request) in [("time rating 0", "time_rating", feedback(time: 0, quality: 4)),
                                             ("time rating 6", "time_rating", feedback(time: 6, quality: 4)),
                                             ("quality rating 0", "quality_rating", feedback(time: 4, quality: 0)),
                                             ("quality rating 6", "quality_rating", feedback(time: 4, quality: 6))] {
                await expectRejected(label, field: field) { try await p.citizen.submitFeedback(request, options: citizen.options) }
            }
            #expect(try await p.citizen.submitFeedback(feedback(time: 5, quality: 1), options: citizen.options).status == .closed)

            await expectRejected("ListMessages limit 501", field: "limit") {
                try await p.citizen.listMessages(.with { $0.limit = 501 }, options: citizen.options)
            }
            _ = try await p.citizen.listMessages(.with { $0.limit = 500 }, options: citizen.options)

            let open = try await p.fileComplaint(citizen.signedIn)
            for (label, id) in [("an officer of another district", officerOfMardan.id), ("no such officer", "987654"),
                                ("a DC, not a department officer", dc.id), ("not an id", "1 OR 1=1")] {
                await expectRejected("assign to \(label)", field: "officer_ids") {
                    try await p.officer.assignComplaint(.with { $0.code = open.code; $0.officerIds = [id] }, options: dc.options)
                }
            }
            for (label, district) in [("an unknown district", "ZZZ"), ("a division", "DIV-MRD"), ("the province", "KP"),
                                      ("its own district", "PSH"), ("no district", "")] {
                await expectRejected("transfer to \(label)", field: "district_code") {
                    try await p.officer.transferComplaint(.with { $0.code = open.code; $0.districtCode = district; $0.reason = "Wrongly routed." },
                                                          options: dc.options)
                }
            }
            // The complaint is untouched by all of that.
            let view = try await p.officer.getComplaint(.with { $0.code = open.code }, options: dc.options)
            #expect(view.complaint?.status == .new && view.complaint?.districtCode == "PSH" && view.complaint?.assignedOfficerIds == [])
        }
    }

    @Test func uploadRefusesContentItCannotTrust() async throws {
        try await withPortal { p in
            let a = try await p.citizenAccount()
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0x11, count: 700)
            let jpeg = Uploads.jpeg
            typealias Requests = @Sendable (RPCWriter<Portal_V1_UploadAttachmentRequest>) async throws -> Void
            // Each refusal is decided by the last message the client sends, so these check the
            // server's answer alone (a refusal while more is still being sent: next test).
            let cases: [(String, String, Requests)] = [
                ("PDF bytes claimed as a photo", "chunk", Uploads.requests(Uploads.pdf, kind: .photo, chunkSize: Uploads.pdf.count)),
                ("a PNG claimed as audio", "header.kind", Uploads.requests(png, kind: .audio, chunkSize: png.count)),
                ("no kind", "header.kind", { w in try await w.write(Uploads.header(.unspecified, size: jpeg.count)) }),
                ("over the 10 MiB photo cap", "header.size_bytes", { w in try await w.write(Uploads.header(.photo, size: 10 << 20 + 1)) }),
                ("zero bytes declared", "header.size_bytes", { w in try await w.write(Uploads.header(.photo, size: 0)) }),
                ("more bytes than declared", "chunk", Uploads.requests(jpeg, declared: 100, chunkSize: jpeg.count)),
                ("fewer bytes than declared", "chunk", Uploads.requests(jpeg, declared: jpeg.count + 10)),
                ("a chunk before the header", "header", { w in try await w.write(Uploads.chunk(jpeg)) }),
                ("a second header", "header", { w in
                    try await w.write(Uploads.header(.photo, size: jpeg.count))
                    try await w.write(Uploads.chunk(jpeg.prefix(1000)))
                    try await w.write(Uploads.header(.photo, size: jpeg.count))
                }),
                ("no messages at all", "header", { _ in }),
            ]
            for (label, field, requests) in cases {
                await expectRejected(label, field: field) { try await p.citizen.uploadAttachment(options: a.options, requests: requests) }
            }
            // No half-written file is left behind, and an honest upload still goes through.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: p.dataDirectory + "/attachments")
            #expect(leftovers.isEmpty, "files left by refused uploads: \(leftovers)")
            let ok = try await p.citizen.uploadAttachment(options: a.options, requests: Uploads.requests(jpeg))
            #expect(ok.contentType == "image/jpeg")
        }
    }

    /// A phone announces a 12 MiB photo and starts sending; the server refuses at the header.
    /// The app must learn why (to tell the user the file is too large), not a bare CANCELLED.
    @Test func uploadRefusedWhileSendingStillReportsWhy() async throws {
        try await withPortal { p in
            let a = try await p.citizenAccount()
            let body = Uploads.jpeg + [UInt8](repeating: 0x5A, count: 4000)
            await expectRejected("12 MiB photo", field: "header.size_bytes") {
                try await p.citizen.uploadAttachment(options: a.options, requests: Uploads.requests(body, declared: 12 << 20, pause: .milliseconds(250)))
            }
        }
    }

    @Test func adminRejectsBadCodesAndPolicies() async throws {
        try await withPortal { p in
            let admin = try await p.adminAccount().options
            func jurisdiction(_ code: String, _ tier: Portal_V1_Tier = .district, parent: String = "DIV-PSH", name: String = "Test")
                -> Portal_V1_UpsertJurisdictionRequest {
                .with { $0.jurisdiction = .with { $0.code = code; $0.name = name; $0.tier = tier; $0.parentCode = parent } }
            }
            for (label, field, request) in [
                ("lower-case code", "jurisdiction.code", jurisdiction("tst")),
                ("one-letter code", "jurisdiction.code", jurisdiction("T")),
                ("code with SQL", "jurisdiction.code", jurisdiction("TST';DROP")),
                ("no code", "jurisdiction.code", jurisdiction("")),
                ("no name", "jurisdiction.name", jurisdiction("TST", name: "")),
                ("no tier", "jurisdiction.tier", jurisdiction("TST", .unspecified)),
                ("a district under the province", "jurisdiction.parent_code", jurisdiction("TST", parent: "KP")),
                ("a district under nothing known", "jurisdiction.parent_code", jurisdiction("TST", parent: "DIV-XYZ")),
            ] {
                await expectRejected("UpsertJurisdiction: \(label)", field: field) { try await p.admin.upsertJurisdiction(request, options: admin) }
            }
            for (label, field, department) in [("lower-case code", "department.code", Portal_V1_Department.with { $0.code = "phe"; $0.name = "X" }),
                                               ("one-letter code", "department.code", .with { $0.code = "P"; $0.name = "X" }),
                                               ("no name", "department.name", .with { $0.code = "TST" })] {
                await expectRejected("UpsertDepartment: \(label)", field: field) {
                    try await p.admin.upsertDepartment(.with { $0.department = department }, options: admin)
                }
            }
            for (label, field, category) in [("code with spaces", "category.code", Portal_V1_Category.with { $0.code = "Water Supply"; $0.name = "X"; $0.departmentCode = "PHE" }),
                                             ("upper-case code", "category.code", .with { $0.code = "WATER"; $0.name = "X"; $0.departmentCode = "PHE" }),
                                             ("unknown department", "category.department_code", .with { $0.code = "tst"; $0.name = "X"; $0.departmentCode = "NOPE" }),
                                             ("no department", "category.department_code", .with { $0.code = "tst"; $0.name = "X" })] {
                await expectRejected("UpsertCategory: \(label)", field: field) {
                    try await p.admin.upsertCategory(.with { $0.category = category }, options: admin)
                }
            }
            func staff(_ build: (inout Portal_V1_CreateStaffRequest) -> Void) -> Portal_V1_CreateStaffRequest {
                var r = Portal_V1_CreateStaffRequest.with { $0.username = "valid.user"; $0.name = "Sana Gul"; $0.role = .deputyCommissioner; $0.jurisdictionCode = "PSH" }
                build(&r)
                return r
            }
            for (label, field, request) in [("bad username", "username", staff { $0.username = "Bad Name!" }),
                                            ("a DC of a division", "jurisdiction_code", staff { $0.jurisdictionCode = "DIV-PSH" }),
                                            ("a citizen role", "role", staff { $0.role = .citizen }),
                                            ("an officer of no department", "department_code", staff { $0.role = .departmentOfficer }),
                                            ("an officer of an unknown department", "department_code", staff { $0.role = .departmentOfficer; $0.departmentCode = "NOPE" })] {
                await expectRejected("CreateStaff: \(label)", field: field) { try await p.admin.createStaff(request, options: admin) }
            }
            func policy(_ division: UInt32, _ province: UInt32, _ reopens: UInt32 = 2) -> Portal_V1_EscalationPolicy {
                .with { $0.divisionAfterDays = division; $0.provinceAfterDays = province; $0.maxReopens = reopens }
            }
            for (label, field, request) in [("province equal to division", "province_after_days", policy(15, 15)),
                                            ("province before division", "province_after_days", policy(15, 10)),
                                            ("division after 0 days", "division_after_days", policy(0, 22)),
                                            ("11 reopens", "max_reopens", policy(15, 22, 11))] {
                await expectRejected("SetEscalationPolicy: \(label)", field: field) { try await p.admin.setEscalationPolicy(request, options: admin) }
            }
            let kept = try await p.admin.getEscalationPolicy(.init(), options: admin)
            #expect(kept.divisionAfterDays == 15 && kept.provinceAfterDays == 22 && kept.maxReopens == 2)
            await expectRejected("BlockCitizen without a reason", field: "reason") {
                try await p.admin.blockCitizen(.with { $0.citizenId = "1" }, options: admin)
            }
            await expectRejected("BlockCitizen of a non-id", field: "citizen_id") {
                try await p.admin.blockCitizen(.with { $0.citizenId = "abc"; $0.reason = "Spam." }, options: admin)
            }
        }
    }

    // MARK: Account defences

    @Test func fiveWrongSMSCodesExhaustTheCode() async throws {
        try await withPortal { p in
            let values = NewCitizenValues()
            let id = try await p.register(values)
            let right = try p.smsCode(for: values.mobileE164)
            let wrong = String((Int(right.prefix(1))! + 1) % 10) + right.dropFirst()
            for attempt in 1...5 {
                await expectRejected("wrong code, attempt \(attempt)", field: "code", hiding: [right, wrong] + secrets(of: values.request)) {
                    try await p.citizen.verifyMobile(.with { $0.citizenId = id; $0.code = wrong })
                }
            }
            let exhausted = await rpcError { try await p.citizen.verifyMobile(.with { $0.citizenId = id; $0.code = right }) }
            #expect(exhausted?.code == .resourceExhausted)
            #expect(exhausted.map { !$0.message.contains(right) } ?? true)
            // Still unverified: no sign-in. A new code (after the cooldown) starts afresh.
            #expect(await statusOf { try await p.citizen.login(.with { $0.identity = .cnic(values.cnic); $0.password = values.password }) } == .failedPrecondition)
            p.clock.advance(byMillis: 61_000)
            _ = try await p.citizen.resendVerificationCode(.with { $0.citizenId = id })
            let fresh = try p.smsCode(for: values.mobileE164)
            #expect(try await p.citizen.verifyMobile(.with { $0.citizenId = id; $0.code = fresh }).citizen?.mobileVerified == true)
        }
    }

    @Test func fiveWrongPasswordsLockThatAccountOnly() async throws {
        try await withPortal { p in
            let x = try await p.citizenAccount()
            let y = try await p.citizenAccount()
            guard case let .citizen(cnic, mobile, password) = x.credentials else { return }
            for attempt in 1...5 {
                let wrong = "Wrong-guess-\(attempt)x"
                let e = await rpcError { try await p.citizen.login(.with { $0.identity = .cnic(cnic); $0.password = wrong }) }
                #expect(e?.code == .unauthenticated, "attempt \(attempt): \(String(describing: e))")
                for secret in [cnic, cnic.filter(\.isNumber), mobile, wrong] { #expect(e?.message.contains(secret) == false) }
            }
            let locked = await rpcError { try await p.citizen.login(.with { $0.identity = .cnic(cnic); $0.password = password }) }
            #expect(locked?.code == .resourceExhausted)
            #expect(locked.map { !$0.message.contains(cnic.filter(\.isNumber)) && !$0.message.contains(password) } ?? true)
            // Another account on the same address signs in; the locked one after the window.
            _ = try await p.signIn(y)
            p.clock.advance(byMillis: 15 * 60_000 + 1000)
            _ = try await p.signIn(x)

            // Staff accounts lock the same way.
            let admin = try await p.adminAccount()
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH", admin: admin)
            guard case let .staff(username, staffPassword) = dc.credentials else { return }
            for _ in 1...5 {
                #expect(await statusOf { try await p.officer.login(.with { $0.username = username; $0.password = "Wrong-guess-1x" }) } == .unauthenticated)
            }
            #expect(await statusOf { try await p.officer.login(.with { $0.username = username; $0.password = staffPassword }) } == .resourceExhausted)
            _ = try await p.adminAccount()
        }
    }

    /// The lockout is the account's, however it is named: five wrong passwords by CNIC must
    /// also stop sign-in by mobile number (else each identity gives five more guesses).
    @Test func lockoutCoversEveryIdentityOfTheAccount() async throws {
        try await withPortal { p in
            let x = try await p.citizenAccount()
            guard case let .citizen(cnic, mobile, password) = x.credentials else { return }
            for attempt in 1...5 {
                #expect(await statusOf { try await p.citizen.login(.with { $0.identity = .cnic(cnic); $0.password = "Wrong-guess-\(attempt)x" }) } == .unauthenticated)
            }
            #expect(await statusOf { try await p.citizen.login(.with { $0.identity = .mobile(mobile); $0.password = password }) } == .resourceExhausted,
                    "the account locked by CNIC still signs in by mobile number")
        }
    }

    @Test func sessionsExpireAfterThirtyDays() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount()
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            p.clock.advance(byDays: 29)
            _ = try await p.citizen.getProfile(.init(), options: citizen.options)
            _ = try await p.officer.getMe(.init(), options: dc.options)
            p.clock.advance(byMillis: 86_400_000 + 60_000)
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: citizen.options) } == .unauthenticated)
            #expect(await statusOf { try await p.citizen.fileComplaint(MatrixFixture.complaintRequest(), options: citizen.options) } == .unauthenticated)
            #expect(await statusOf { try await p.officer.getMe(.init(), options: dc.options) } == .unauthenticated)
            // Signing in again gives a working session.
            _ = try await p.citizen.getProfile(.init(), options: try await p.signIn(citizen).options)
            _ = try await p.officer.getMe(.init(), options: try await p.signIn(dc).options)
        }
    }

    @Test func logoutRevokesThatSessionOnly() async throws {
        try await withPortal { p in
            let phone = try await p.citizenAccount()
            let laptop = try await p.signIn(phone)
            // A denied call does not end the session it carried.
            #expect(await statusOf { try await p.officer.logout(.init(), options: phone.options) } == .permissionDenied)
            _ = try await p.citizen.getProfile(.init(), options: phone.options)

            _ = try await p.citizen.logout(.init(), options: phone.options)
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: phone.options) } == .unauthenticated)
            #expect(await statusOf { try await p.citizen.logout(.init(), options: phone.options) } == .unauthenticated)
            _ = try await p.citizen.getProfile(.init(), options: laptop.options)

            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            _ = try await p.officer.logout(.init(), options: dc.options)
            #expect(await statusOf { try await p.officer.getMe(.init(), options: dc.options) } == .unauthenticated)
            // A token-shaped string that was never issued, and a malformed header.
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: TestPortal.auth("A" + phone.token.dropFirst())) } == .unauthenticated)
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: RPCCallOptions(metadata: ["authorization": laptop.token])) } == .unauthenticated)
        }
    }

    @Test func blockedCitizenCannotCallOrSignIn() async throws {
        try await withPortal { p in
            let x = try await p.citizenAccount()
            guard case let .citizen(cnic, mobile, password) = x.credentials else { return }
            let admin = try await p.adminAccount()
            _ = try await p.admin.blockCitizen(.with { $0.citizenId = x.id; $0.reason = "Abusive language." }, options: admin.options)
            // Its sessions are revoked...
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: x.options) } == .unauthenticated)
            #expect(await statusOf { try await p.citizen.fileComplaint(MatrixFixture.complaintRequest(), options: x.options) } == .unauthenticated)
            // ...and signing in is refused as blocked, by CNIC or mobile, without echoing them.
            for identity in [Portal_V1_CitizenLoginRequest.OneOf_Identity.cnic(cnic), .mobile(mobile)] {
                let e = await rpcError { try await p.citizen.login(.with { $0.identity = identity; $0.password = password }) }
                #expect(e?.code == .permissionDenied)
                for secret in [cnic, cnic.filter(\.isNumber), mobile, "3" + mobile.dropFirst(2), password] { #expect(e?.message.contains(secret) == false) }
            }
            // Without the password, the block is not disclosed.
            #expect(await statusOf { try await p.citizen.login(.with { $0.identity = .cnic(cnic); $0.password = "Wrong-guess-1x" }) } == .unauthenticated)
            _ = try await p.admin.unblockCitizen(.with { $0.citizenId = x.id }, options: admin.options)
            let back = try await p.signIn(x)
            _ = try await p.citizen.fileComplaint(MatrixFixture.complaintRequest(), options: back.options)
        }
    }

    /// Ending a session (logout, deactivation, blocking) must also end what it has open: a
    /// watch stream authorised at its start must not keep delivering afterwards.
    enum Revocation: String, CaseIterable, Sendable { case citizenLogout, citizenBlocked, officerDeactivated }

    @Test(arguments: Revocation.allCases)
    func revokedSessionsStopTheirWatchStreams(_ how: Revocation) async throws {
        try await withPortal { p in
            let admin = try await p.adminAccount()
            let citizen = try await p.citizenAccount()
            let other = try await p.signIn(citizen)
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH", admin: admin)
            let tap: StreamTap<String>
            switch how {
            case .citizenLogout, .citizenBlocked:
                tap = StreamTap(try await p.citizen.watchUpdates(.init(), options: citizen.options), \.referenceCode)
            case .officerDeactivated:
                tap = StreamTap(try await p.officer.watchQueue(.init(), options: dc.options)) { $0.complaint?.code ?? "" }
                try await p.queueWatchers(reach: 1)
            }
            defer { tap.cancel() }
            // The stream is live: it delivers the first complaint.
            let first = try await p.fileComplaint(other.signedIn)
            #expect(await tap.wait(for: 1, within: .seconds(30)).items == [first.code])

            switch how {
            case .citizenLogout: _ = try await p.citizen.logout(.init(), options: citizen.options)
            case .citizenBlocked: _ = try await p.admin.blockCitizen(.with { $0.citizenId = citizen.id; $0.reason = "Abuse." }, options: admin.options)
            case .officerDeactivated: _ = try await p.admin.updateStaff(.with { $0.staffId = dc.id; $0.active = false }, options: admin.options)
            }
            #expect(await statusOf { try await p.citizen.getProfile(.init(), options: citizen.options) } == (how == .officerDeactivated ? nil : .unauthenticated))

            // Something the revoked caller would have been told of.
            switch how {
            case .citizenLogout: _ = try await p.fileComplaint(other.signedIn)
            case .citizenBlocked: _ = try await p.officer.addRemark(.with { $0.code = first.code; $0.remark = "Team dispatched." }, options: dc.options)
            case .officerDeactivated: _ = try await p.fileComplaint(other.signedIn)
            }
            let after = await tap.wait(for: 2, within: .seconds(3))
            #expect(after.items.count == 1, "\(how): the watch outlived its session and delivered \(after.items.dropFirst())")
        }
    }
}

// MARK: - Helpers

/// The personal values of a registration in every spelling a message might echo.
private func secrets(of r: Portal_V1_RegisterRequest) -> [String] {
    let mobileDigits = r.mobile.filter(\.isNumber)
    return [r.cnic, r.cnic.filter(\.isNumber), r.mobile, mobileDigits, String(mobileDigits.suffix(10)), r.password]
}

/// Expects `call` to fail with `code` and a message that starts with `<field>:` and contains
/// none of `secrets` (ignoring ones too short to be telling).
private func expectRejected<T>(_ label: String, _ code: Status.Code = .invalidArgument, field: String, hiding secrets: [String] = [],
                               sourceLocation: SourceLocation = #_sourceLocation, _ call: () async throws -> T) async {
    let error: RPCError
    do {
        _ = try await call()
        Issue.record("\(label): accepted", sourceLocation: sourceLocation)
        return
    } catch let e as RPCError {
        error = e
    } catch {
        Issue.record("\(label): failed with \(error)", sourceLocation: sourceLocation)
        return
    }
    #expect(error.code == code, "\(label): \(error)", sourceLocation: sourceLocation)
    #expect(error.message.hasPrefix("\(field): "), "\(label): message \"\(error.message)\" does not start with \"\(field): \"",
            sourceLocation: sourceLocation)
    for secret in Set(secrets) where secret.count >= 6 {
        #expect(!error.message.contains(secret), "\(label): message \"\(error.message)\" echoes \"\(secret)\"", sourceLocation: sourceLocation)
    }
}

/// Reads a server stream in the background, keeping a key of each message, so a test can
/// check what arrived by when.
final class StreamTap<Key: Sendable & Equatable>: Sendable {
    private final class Box: Sendable {
        let state = Mutex<(items: [Key], end: String?)>(([], nil))
    }

    private let box = Box()
    private let task: Task<Void, Never>

    init<Message: Sendable>(_ stream: RPCStream<Message>, _ key: @escaping @Sendable (Message) -> Key) {
        let box = self.box
        task = Task {
            do {
                for try await message in stream { box.state.withLock { $0.items.append(key(message)) } }
                box.state.withLock { $0.end = "ended" }
            } catch {
                box.state.withLock { $0.end = "\(error)" }
            }
        }
    }

    /// What arrived once `count` messages did, the stream ended, or `limit` passed.
    func wait(for count: Int, within limit: Duration) async -> (items: [Key], end: String?) {
        let deadline = ContinuousClock.now + limit
        while true {
            let now = box.state.withLock { $0 }
            if now.items.count >= count || now.end != nil || ContinuousClock.now >= deadline { return now }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func cancel() { task.cancel() }
}
