import PortalModel
import PortalStore

/// The citizen's side of a complaint's life: answering a request for information, and
/// feedback that closes or reopens it.
extension ComplaintWorkflow {
    func provideInformation(_ r: Portal_V1_ProvideInformationRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Complaint {
        let text = try PortalValidation.text(r.text, field: "text", min: 1, max: 5000)
        let attachments = try PortalValidation.attachmentIDs(r.attachmentIds, max: core.configuration.maxAttachmentsPerComplaint)
        let actor = Principal.citizen(citizen)
        return try await mutate(r.code) { db, c, now in
            guard c.citizenId == String(citizen.id) else { throw PortalError.permissionDenied("complaint \(c.code) is not yours") }
            guard c.status == .infoRequested else { throw PortalError.failedPrecondition("no information was requested on \(c.code)") }
            for a in attachments {
                guard try db.run("UPDATE attachments SET complaint_id = ? WHERE id = ? AND citizen_id = ? AND complaint_id IS NULL",
                                 Int64(c.id), a, citizen.id) == 1
                else { throw PortalError.invalidArgument(field: "attachment_ids", reason: "\(a) is not an unused upload of yours") }
            }
            try setStatus(db, c, c.assignedOfficerIds.isEmpty ? .new : .assigned, now: now, actor: actor)
            try ComplaintRecords.addEvent(db, complaintID: Int64(c.id), at: now, actor: actor, kind: .remark, text: text)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.provide_information", target: c.code)
            return Effects(queue: [.informationProvided])
        }
    }

    func submitFeedback(_ r: Portal_V1_SubmitFeedbackRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Complaint {
        guard (1...5).contains(r.timeRating) else { throw .invalidArgument(field: "time_rating", reason: "must be 1 to 5") }
        guard (1...5).contains(r.qualityRating) else { throw .invalidArgument(field: "quality_rating", reason: "must be 1 to 5") }
        let comment = try PortalValidation.text(r.comment, field: "comment", min: 0, max: 2000)
        if r.reopen && r.satisfied { throw .invalidArgument(field: "reopen", reason: "only unsatisfied feedback can reopen a complaint") }
        let maxReopens = core.escalationPolicy.maxReopens
        let actor = Principal.citizen(citizen)
        return try await mutate(r.code) { db, c, now in
            guard c.citizenId == String(citizen.id) else { throw PortalError.permissionDenied("complaint \(c.code) is not yours") }
            guard c.status == .resolved else { throw PortalError.failedPrecondition("feedback is given once the complaint is resolved") }
            if r.reopen && Int(c.reopenCount) >= maxReopens {
                throw PortalError.failedPrecondition("\(c.code) was already reopened \(c.reopenCount) times (the limit); submit feedback without reopen")
            }
            let id = Int64(c.id)
            try db.run("INSERT INTO feedback (complaint_id, satisfied, time_rating, quality_rating, comment, given_at) VALUES (?, ?, ?, ?, ?, ?)",
                       id, r.satisfied, Int64(r.timeRating), Int64(r.qualityRating), comment, now)
            try ComplaintRecords.addEvent(db, complaintID: id, at: now, actor: actor, kind: .feedback,
                                          text: "\(r.satisfied ? 1 : 0)|\(r.timeRating)|\(r.qualityRating)|\(comment)")
            if r.reopen {
                try db.run("UPDATE complaints SET reopen_count = reopen_count + 1, clock_started_at = ?, tier = 1, resolved_at = NULL WHERE id = ?", now, id)
                try setStatus(db, c, .reopened, now: now, actor: actor)
                try notifyCitizen(db, c, .complaintReopened, "Your complaint \(c.code) was reopened and sent back to the officers.", now)
                try AuditLog.append(db, at: now, actor: actor, action: "complaint.reopen", target: c.code)
                return Effects(queue: [.reopened], messagedCitizen: true)
            }
            try setStatus(db, c, .closed, now: now, actor: actor)
            try notifyCitizen(db, c, .complaintClosed, "Thank you for your feedback; complaint \(c.code) is closed.", now)
            try AuditLog.append(db, at: now, actor: actor, action: "complaint.feedback", target: c.code, detail: "satisfied=\(r.satisfied)")
            return Effects(messagedCitizen: true)
        }
    }

    /// One of the citizen's own complaints with its timeline.
    func citizenComplaint(_ code: String, for citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Complaint {
        let code = try PortalValidation.complaintCode(code, field: "code")
        guard let c = try await core.read({ db in try ComplaintRecords.load(db, code: code, timeline: true) }) else {
            throw .notFound("complaint \(code) not found")
        }
        guard c.citizenId == String(citizen.id) else { throw .permissionDenied("complaint \(code) is not yours") }
        return c
    }
}
