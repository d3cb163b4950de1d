import PortalRPC
import PortalSecurity
import PortalServices
import Testing

/// The whole complaint story over real sockets, as the apps and dashboards drive it.
@Suite struct ComplaintFlowTests {
    /// A JPEG: SOI + JFIF APP0 header, then filler; enough for the magic-byte check.
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01]
        + [UInt8](repeating: 0x5A, count: 3000) + [0xFF, 0xD9]

    @Test func registerFileAssignResolveFeedbackReopenEscalate() async throws {
        try await withPortal { p in
            let ayesha = try await p.newCitizen(district: "PSH")
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            let officer = try await p.newStaff(.departmentOfficer, "PSH", department: "PHE")
            let commissioner = try await p.newStaff(.commissioner, "DIV-PSH")
            let chiefSecretary = try await p.newStaff(.chiefSecretary, "KP")

            // Upload a photo in three chunks, then file with it.
            let photo = try await p.citizen.uploadAttachment(options: ayesha.options) { w in
                var h = Portal_V1_UploadAttachmentRequest()
                var header = Portal_V1_AttachmentUploadHeader()
                header.kind = .photo
                header.sizeBytes = UInt64(Self.jpeg.count)
                h.part = .header(header)
                try await w.write(h)
                for chunk in [Self.jpeg[0..<1000], Self.jpeg[1000..<2000], Self.jpeg[2000...]] {
                    var c = Portal_V1_UploadAttachmentRequest()
                    c.part = .chunk(Array(chunk))
                    try await w.write(c)
                }
            }
            #expect(photo.contentType == "image/jpeg")
            #expect(photo.sizeBytes == UInt64(Self.jpeg.count))
            #expect(photo.sha256 == SHA256.hash(Self.jpeg), "the digest covers every chunk, in order")

            var file = Portal_V1_FileComplaintRequest()
            file.idempotencyKey = "flow-test-0001"
            file.categoryCode = "water-supply"
            file.description_p = "No water supply in Gulbahar for five days."
            var spot = Portal_V1_GeoPoint()
            spot.latitude = 34.0151; spot.longitude = 71.5249
            file.location = spot
            file.attachmentIds = [photo.id]
            let filed = try await p.citizen.fileComplaint(file, options: ayesha.options)
            #expect(filed.code.hasPrefix("PSH-\(CivilYear.now(p.clock))-"))
            #expect(filed.status == .new)
            #expect(filed.tier == .district)
            #expect(filed.divisionCode == "DIV-PSH")
            #expect(filed.departmentCode == "PHE")
            #expect(filed.attachments.map(\.id) == [photo.id])
            // A retried submit with the same key returns the same complaint.
            let retried = try await p.citizen.fileComplaint(file, options: ayesha.options)
            #expect(retried.code == filed.code && retried.id == filed.id)

            // The citizen watches his message box from the start.
            let updates = try await p.citizen.watchUpdates(.init(), options: ayesha.options)
            var messages = updates.makeAsyncIterator()
            #expect(try await messages.next()?.kind == .complaintFiled)

            // The DC sees it in his queue and assigns it; the officer resolves it.
            var list = Portal_V1_ListComplaintsRequest()
            list.statuses = [.new]
            let queue = try await p.officer.listComplaints(list, options: dc.options)
            #expect(queue.complaints.map(\.code) == [filed.code])
            var assign = Portal_V1_AssignComplaintRequest()
            assign.code = filed.code; assign.officerIds = [officer.id]; assign.remark = "Please restore supply."
            let assigned = try await p.officer.assignComplaint(assign, options: dc.options)
            #expect(assigned.status == .assigned)
            #expect(assigned.assignedOfficerIds == [officer.id])
            #expect(try await messages.next()?.kind == .complaintAssigned)

            var resolve = Portal_V1_ResolveComplaintRequest()
            resolve.code = filed.code; resolve.remarks = "Pump repaired; supply restored."
            let resolved = try await p.officer.resolveComplaint(resolve, options: officer.options)
            #expect(resolved.status == .resolved)
            let resolvedMessage = try await messages.next()
            #expect(resolvedMessage?.kind == .complaintResolved)
            #expect(resolvedMessage?.referenceCode == filed.code)

            // Unsatisfied: reopen. Its clock restarts and the officers hear of it.
            p.clock.advance(byDays: 3)
            var feedback = Portal_V1_SubmitFeedbackRequest()
            feedback.code = filed.code; feedback.satisfied = false; feedback.timeRating = 2; feedback.qualityRating = 1
            feedback.comment = "Water came for one day only."; feedback.reopen = true
            let reopened = try await p.citizen.submitFeedback(feedback, options: ayesha.options)
            #expect(reopened.status == .reopened)
            #expect(reopened.reopenCount == 1)
            #expect(reopened.feedback?.satisfied == false)
            #expect(try await messages.next()?.kind == .complaintReopened)

            // 14 days after reopening nothing escalates; at 15 the Commissioner gets it.
            p.clock.advance(byDays: 14)
            #expect(try await p.app.escalator.scan() == 0)
            p.clock.advance(byDays: 1)
            #expect(try await p.app.escalator.scan() == 1)
            #expect(try await messages.next()?.kind == .complaintEscalated)
            var escalatedOnly = Portal_V1_ListComplaintsRequest()
            escalatedOnly.tier = .division
            #expect(try await p.officer.listComplaints(escalatedOnly, options: commissioner.options).complaints.map(\.code) == [filed.code])
            // At 22 days the Chief Secretary.
            p.clock.advance(byDays: 7)
            #expect(try await p.app.escalator.scan() == 1)
            #expect(try await messages.next()?.kind == .complaintEscalated)
            let view = try await p.officer.getComplaint(.with { $0.code = filed.code }, options: chiefSecretary.options)
            #expect(view.complaint?.tier == .province)
            #expect(view.citizenName == "Ayesha Khan")

            // The timeline holds every step in order, with actor roles.
            let tracked = try await p.citizen.getComplaint(.with { $0.code = filed.code }, options: ayesha.options)
            let steps = tracked.timeline.map(\.change)
            #expect(steps.first == .status(.new))
            #expect(steps.contains(.escalatedTo(.division)) && steps.contains(.escalatedTo(.province)))
            #expect(tracked.timeline.contains { $0.actorRole == .departmentOfficer && $0.change == .status(.resolved) })
            #expect(tracked.timeline.contains { $0.actorRole == .citizen && $0.change == .status(.reopened) })

            // The message box agrees with the stream, and reading marks it.
            let box = try await p.citizen.listMessages(.init(), options: ayesha.options)
            #expect(box.messages.count == 6)  // filed, assigned, resolved, reopened, escalated twice
            #expect(box.messages.map(\.sequence) == Array(1...6))
            #expect(box.unreadCount == 6)
            var mark = Portal_V1_MarkMessagesReadRequest()
            mark.upToSequence = 6
            #expect(try await p.citizen.markMessagesRead(mark, options: ayesha.options).unreadCount == 0)

            // The audit chain is intact and covers the story.
            let admin = try await p.adminSession()
            let audit = try await p.admin.verifyAuditLog(.init(), options: admin.options)
            #expect(audit.intact)
            let actions = try await p.admin.listAuditLog(.init(), options: admin.options).entries.map(\.action)
            for action in ["complaint.file", "complaint.assign", "complaint.resolve", "complaint.reopen", "complaint.escalate"] {
                #expect(actions.contains(action), "audit log lacks \(action)")
            }
        }
    }

    /// FileComplaint answers with the complaint built from what it wrote, not read back: it must
    /// be exactly what GetComplaint returns, attachments in their listed order included.
    @Test func theFiledAnswerIsWhatGetComplaintReturns() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen(district: "MRD")
            var uploads: [Portal_V1_Attachment] = []
            for _ in 0..<2 {
                uploads.append(try await p.citizen.uploadAttachment(options: citizen.options, requests: Uploads.requests(Uploads.jpeg)))
            }
            var file = Portal_V1_FileComplaintRequest()
            file.idempotencyKey = "answer-equals-get-1"
            file.categoryCode = "water-supply"
            file.description_p = "  Sewage overflowing near the Mardan bus stand.  "
            file.districtCode = "PSH"
            file.address = "GT Road, near the bus stand"
            var spot = Portal_V1_GeoPoint()
            spot.latitude = 34.0151; spot.longitude = 71.5249; spot.accuracyM = 12.5
            file.location = spot
            file.attachmentIds = uploads.reversed().map(\.id)
            let filed = try await p.citizen.fileComplaint(file, options: citizen.options)
            let got = try await p.citizen.getComplaint(.with { $0.code = filed.code }, options: citizen.options)
            #expect(filed == got)
            #expect(filed.districtCode == "PSH" && filed.location?.accuracyM == 12.5 && filed.timeline.count == 1)
            #expect(Set(filed.attachments.map(\.id)) == Set(uploads.map(\.id)))
            // Without a location, address or attachments too.
            var plain = Portal_V1_FileComplaintRequest()
            plain.idempotencyKey = "answer-equals-get-2"
            plain.categoryCode = "water-supply"
            plain.description_p = "No water supply in Mardan city for three days."
            let bare = try await p.citizen.fileComplaint(plain, options: citizen.options)
            #expect(bare == (try await p.citizen.getComplaint(.with { $0.code = bare.code }, options: citizen.options)))
            #expect(bare.location == nil && bare.districtCode == "MRD")
        }
    }

    @Test func watchResumesAfterReconnectWithoutLoss() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen()
            var codes: [String] = []
            for _ in 0..<3 { codes.append(try await p.fileComplaint(citizen).code) }
            // A fresh watch from sequence 2 replays exactly 3, then a live one arrives.
            var req = Portal_V1_WatchUpdatesRequest()
            req.afterSequence = 2
            let stream = try await p.citizen.watchUpdates(req, options: citizen.options)
            var it = stream.makeAsyncIterator()
            let replayed = try await it.next()
            #expect(replayed?.sequence == 3 && replayed?.referenceCode == codes[2])
            let live = try await p.fileComplaint(citizen)
            let next = try await it.next()
            #expect(next?.sequence == 4 && next?.referenceCode == live.code)
        }
    }

    @Test func closedAfterSatisfiedFeedbackAndReopenLimit() async throws {
        try await withPortal { p in
            let citizen = try await p.newCitizen()
            let dc = try await p.newStaff(.deputyCommissioner, "PSH")
            let c = try await p.fileComplaint(citizen)
            var resolve = Portal_V1_ResolveComplaintRequest()
            resolve.code = c.code; resolve.remarks = "Done."
            // Feedback before resolution is refused.
            var fb = Portal_V1_SubmitFeedbackRequest()
            fb.code = c.code; fb.satisfied = false; fb.timeRating = 1; fb.qualityRating = 1; fb.reopen = true
            #expect(await statusOf { try await p.citizen.submitFeedback(fb, options: citizen.options) } == .failedPrecondition)
            // Reopen twice (the default limit), then a third reopen is refused.
            for round in 1...2 {
                _ = try await p.officer.resolveComplaint(resolve, options: dc.options)
                let r = try await p.citizen.submitFeedback(fb, options: citizen.options)
                #expect(r.reopenCount == UInt32(round))
            }
            _ = try await p.officer.resolveComplaint(resolve, options: dc.options)
            let refused = await rpcError { try await p.citizen.submitFeedback(fb, options: citizen.options) }
            #expect(refused?.code == .failedPrecondition)
            fb.reopen = false; fb.satisfied = true; fb.timeRating = 4; fb.qualityRating = 5
            let closed = try await p.citizen.submitFeedback(fb, options: citizen.options)
            #expect(closed.status == .closed)
            // A closed complaint takes no more actions.
            #expect(await statusOf { try await p.officer.resolveComplaint(resolve, options: dc.options) } == .failedPrecondition)
        }
    }
}

enum CivilYear {
    static func now(_ clock: some PortalClock) -> Int {
        let days = clock.nowMillis() / 86_400_000
        var year = 1970, remaining = days
        while true {
            let length: Int64 = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365
            if remaining < length { return year }
            remaining -= length
            year += 1
        }
    }
}
