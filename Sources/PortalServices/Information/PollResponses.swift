import PortalModel
import PortalStore

/// Citizens' responses to polls and the results. The rule: one response per citizen and
/// poll; responding again while the poll is open replaces the earlier answers, so a citizen
/// always counts exactly once, with his latest answers. Per-option counts are kept in the
/// same transaction as each response; the audit log records that a citizen responded, never
/// what he answered.
struct PollResponses: Sendable {
    let core: PortalCore
    var access: InfoAccess { InfoAccess(directory: core.directory) }

    struct Response: Sendable {
        var answers: [UInt32]
        var at: Int64
    }

    static func response(_ db: Database, pollID: Int64, citizenID: Int64) throws -> Response? {
        try db.queryOne("SELECT answers, answered_at FROM poll_responses WHERE poll_id = ? AND citizen_id = ?", [pollID, citizenID]) { r in
            Response(answers: r.text(0).split(separator: ",").compactMap { UInt32($0) }, at: r.int(1))
        }
    }

    func respond(_ r: Portal_V1_RespondToPollRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_PollView {
        let id = try InfoValidation.id(r.pollId, field: "poll_id")
        guard !r.answers.isEmpty else { throw .missing("answers") }
        let reach = access.reach(of: citizen.districtCode), now = core.now(), actor = Principal.citizen(citizen)
        let poll = try await core.write { db in
            guard let poll = try Polls.load(db, id: id, now: now) else { throw PortalError.notFound("poll \(id) not found") }
            guard reach.contains(poll.scopeCode) else { throw PortalError.permissionDenied("the poll is not for your district") }
            switch poll.status {
            case .scheduled: throw PortalError.failedPrecondition("the poll opens on \(PakistanTime.format(poll.opensAt!.millisIfValid ?? 0))")
            case .closed: throw PortalError.failedPrecondition("the poll closed on \(PakistanTime.format(poll.closesAt!.millisIfValid ?? 0))")
            default: break
            }
            guard r.answers.count == poll.questions.count else {
                throw PortalError.invalidArgument(field: "answers", reason: "must give one answer for each of the \(poll.questions.count) questions")
            }
            for (i, a) in r.answers.enumerated() where Int(a) >= poll.questions[i].options.count {
                throw PortalError.invalidArgument(field: "answers", reason: "answer \(i + 1) is not an option of question \(i + 1)")
            }
            let previous = try Self.response(db, pollID: id, citizenID: citizen.id)
            if let previous {
                try Self.count(db, pollID: id, answers: previous.answers, by: -1)
                try db.run("UPDATE poll_responses SET answers = ?, answered_at = ?, changes = changes + 1 WHERE poll_id = ? AND citizen_id = ?",
                           Self.encode(r.answers), now, id, citizen.id)
            } else {
                try db.run("INSERT INTO poll_responses (poll_id, citizen_id, answers, answered_at) VALUES (?, ?, ?, ?)",
                           id, citizen.id, Self.encode(r.answers), now)
                try db.run("UPDATE polls SET respondents = respondents + 1 WHERE id = ?", id)
            }
            try Self.count(db, pollID: id, answers: r.answers, by: 1)
            try AuditLog.append(db, at: now, actor: actor, action: previous == nil ? "poll.respond" : "poll.change_response", target: "poll:\(id)")
            return poll
        }
        return try await view(of: Polls(core: core).withTier(poll), for: .citizen(citizen))
    }

    /// The poll with the caller's answers and the results he may see.
    func view(of poll: Portal_V1_Poll, for who: Principal) async throws(PortalError) -> Portal_V1_PollView {
        let id = Int64(poll.id)
        var citizenID: Int64?
        if case .citizen(let c) = who { citizenID = c.id }
        let me = citizenID
        let access = self.access
        return try await core.read { db in
            var v = Portal_V1_PollView()
            v.poll = poll
            let mine = try me.flatMap { try Self.response(db, pollID: id, citizenID: $0) }
            if let mine { v.myAnswers = mine.answers; v.myAnsweredAt = .init(millis: mine.at) }
            v.resultsVisible = Self.resultsVisible(poll, to: who, responded: mine != nil, access: access)
            if v.resultsVisible { v.results = try Self.results(db, poll) }
            return v
        }
    }

    /// Staff who may manage the poll always see results; everyone else per its setting.
    static func resultsVisible(_ poll: Portal_V1_Poll, to who: Principal, responded: Bool, access: InfoAccess) -> Bool {
        if case .staff(let s) = who, access.canPublish(s, for: poll.scopeCode) { return true }
        switch poll.resultsVisibility {
        case .always: return true
        case .afterResponding: return responded || poll.status == .closed
        case .staffOnly: return false
        default: return poll.status == .closed
        }
    }

    static func results(_ db: Database, _ poll: Portal_V1_Poll) throws -> Portal_V1_PollResults {
        var results = Portal_V1_PollResults()
        results.questions = poll.questions.map { q in
            var r = Portal_V1_PollQuestionResult()
            r.optionCounts = Array(repeating: 0, count: q.options.count)
            return r
        }
        results.respondents = UInt64(try db.queryOne("SELECT respondents FROM polls WHERE id = ?", [Int64(poll.id)]) { $0.int(0) } ?? 0)
        try db.forEachRow("SELECT question, option, n FROM poll_counts WHERE poll_id = ?", [Int64(poll.id)]) { r in
            let q = Int(r.int(0)), o = Int(r.int(1))
            guard results.questions.indices.contains(q), results.questions[q].optionCounts.indices.contains(o) else { return }
            results.questions[q].optionCounts[o] = UInt64(max(r.int(2), 0))
        }
        return results
    }

    private static func count(_ db: Database, pollID: Int64, answers: [UInt32], by delta: Int64) throws {
        for (q, o) in answers.enumerated() {
            try db.run("INSERT INTO poll_counts (poll_id, question, option, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
                       pollID, Int64(q), Int64(o), delta)
        }
    }

    private static func encode(_ answers: [UInt32]) -> String { answers.map(String.init).joined(separator: ",") }
}
