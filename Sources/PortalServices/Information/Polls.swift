import PortalModel
import PortalStore

/// Public polls and perception surveys: a publisher creates one for a jurisdiction with 1-20
/// single-choice questions, an opening and a closing time, and a results setting; citizens of
/// the districts inside respond (PollResponses). Status is derived from the times.
struct Polls: Sendable {
    let core: PortalCore
    var access: InfoAccess { InfoAccess(directory: core.directory) }

    static let columns = """
        id, title, title_urdu, description, description_urdu, scope_code, questions, opens_at, closes_at, visibility,
        creator_role, creator_name, created_at
        """

    static func row(_ r: borrowing Row, now: Int64) -> Portal_V1_Poll {
        var p = (try? Portal_V1_Poll(serializedBytes: r.blob(6))) ?? Portal_V1_Poll()
        p.id = UInt64(r.int(0))
        p.title = r.text(1); p.titleUrdu = r.text(2); p.description_p = r.text(3); p.descriptionUrdu = r.text(4)
        p.scopeCode = r.text(5)
        let opens = r.int(7), closes = r.int(8)
        p.opensAt = .init(millis: opens)
        p.closesAt = .init(millis: closes)
        p.resultsVisibility = Portal_V1_PollResultsVisibility(rawValue: Int32(r.int(9)))
        p.status = now < opens ? .scheduled : now < closes ? .open : .closed
        p.creatorRole = Portal_V1_Role(rawValue: Int32(r.int(10)))
        p.creatorName = r.text(11)
        p.createdAt = .init(millis: r.int(12))
        return p
    }

    static func load(_ db: Database, id: Int64, now: Int64) throws -> Portal_V1_Poll? {
        try db.queryOne("SELECT \(columns) FROM polls WHERE id = ?", [id]) { row($0, now: now) }
    }

    func withTier(_ p: Portal_V1_Poll) -> Portal_V1_Poll {
        var p = p
        p.scopeTier = core.directory.jurisdiction(p.scopeCode)?.tier ?? .unspecified
        return p
    }

    func create(_ r: Portal_V1_CreatePollRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Poll {
        let title = try PortalValidation.text(r.title, field: "title", min: 1, max: 200)
        let titleUrdu = try PortalValidation.text(r.titleUrdu, field: "title_urdu", min: 0, max: 200)
        let description = try PortalValidation.text(r.description_p, field: "description", min: 0, max: 2000)
        let descriptionUrdu = try PortalValidation.text(r.descriptionUrdu, field: "description_urdu", min: 0, max: 2000)
        let scope = try access.publishScope(staff, r.scopeCode, field: "scope_code")
        guard !r.questions.isEmpty else { throw .missing("questions") }
        guard r.questions.count <= 20 else { throw .invalidArgument(field: "questions", reason: "at most 20 questions") }
        var stored = Portal_V1_Poll()
        for (i, q) in r.questions.enumerated() {
            var question = Portal_V1_PollQuestion()
            question.text = try PortalValidation.text(q.text, field: "questions[\(i)].text", min: 1, max: 500)
            question.textUrdu = try PortalValidation.text(q.textUrdu, field: "questions[\(i)].text_urdu", min: 0, max: 500)
            guard (2...10).contains(q.options.count) else {
                throw .invalidArgument(field: "questions[\(i)].options", reason: "must have 2 to 10 options")
            }
            for (j, o) in q.options.enumerated() {
                var option = Portal_V1_PollOption()
                option.text = try PortalValidation.text(o.text, field: "questions[\(i)].options[\(j)].text", min: 1, max: 200)
                option.textUrdu = try PortalValidation.text(o.textUrdu, field: "questions[\(i)].options[\(j)].text_urdu", min: 0, max: 200)
                question.options.append(option)
            }
            stored.questions.append(question)
        }
        let now = core.now()
        // An opening time in the past counts as now.
        let opens = max(try InfoValidation.optionalTime(r.opensAt, field: "opens_at") ?? now, now)
        guard opens <= now + 365 * Millis.day else { throw .invalidArgument(field: "opens_at", reason: "must be at most 365 days ahead") }
        let closes = try InfoValidation.time(r.closesAt, field: "closes_at")
        guard closes > opens else { throw .invalidArgument(field: "closes_at", reason: "must be in the future and after opens_at") }
        guard closes <= opens + 365 * Millis.day else { throw .invalidArgument(field: "closes_at", reason: "must be at most 365 days after opening") }
        guard (0...4).contains(r.resultsVisibility.rawValue) else {
            throw .invalidArgument(field: "results_visibility", reason: "is not a known setting")
        }
        let visibility = r.resultsVisibility == .unspecified ? Portal_V1_PollResultsVisibility.afterClose : r.resultsVisibility
        let office = access.office(of: staff), actor = Principal.staff(staff), questions = stored.serializedBytes()
        let poll = try await core.write { db in
            try db.run("""
                INSERT INTO polls (title, title_urdu, description, description_urdu, scope_code, questions, opens_at, closes_at,
                    visibility, creator_id, creator_role, creator_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, title, titleUrdu, description, descriptionUrdu, scope.code, questions, opens, closes,
                Int64(visibility.rawValue), staff.id, Int64(staff.role.rawValue), office, now)
            let id = db.lastInsertRowID
            try AuditLog.append(db, at: now, actor: actor, action: "poll.create", target: "poll:\(id)", detail: "scope=\(scope.code)")
            return try Self.load(db, id: id, now: now)!
        }
        return withTier(poll)
    }

    /// Closes a scheduled or open poll now.
    func close(_ r: Portal_V1_ClosePollRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Poll {
        let id = try InfoValidation.id(r.id, field: "id")
        let access = self.access, actor = Principal.staff(staff), now = core.now()
        let poll = try await core.write { db in
            guard let p = try Self.load(db, id: id, now: now) else { throw PortalError.notFound("poll \(id) not found") }
            guard access.canPublish(staff, for: p.scopeCode) else { throw PortalError.permissionDenied("the poll is outside your jurisdiction") }
            guard p.status != .closed else { throw PortalError.failedPrecondition("the poll is already closed") }
            try db.run("UPDATE polls SET opens_at = min(opens_at, ?), closes_at = ? WHERE id = ?", now, now, id)
            try AuditLog.append(db, at: now, actor: actor, action: "poll.close", target: "poll:\(id)")
            return try Self.load(db, id: id, now: now)!
        }
        return withTier(poll)
    }

    /// Citizens: polls for their district, open and scheduled ones (closed ones on request).
    /// Publishers: the polls they may read. Newest first, keyset on id.
    func list(_ r: Portal_V1_ListPollsRequest, for who: Principal) async throws(PortalError) -> Portal_V1_ListPollsResponse {
        let size = try InfoPaging.size(r.page)
        let before = try InfoPaging.token(r.page, count: 1)?.first
        let now = core.now()
        let scopes: [String]
        var citizenID: Int64?
        switch who {
        case .citizen(let c):
            guard r.scopeCode.isEmpty else { throw .permissionDenied("citizens see the polls of their own district") }
            scopes = access.reach(of: c.districtCode)
            citizenID = c.id
        case .staff(let s):
            guard InfoAccess.publishers.contains(s.role) else { throw .permissionDenied("your role does not run polls") }
            scopes = try access.readable(by: s, scope: r.scopeCode)
        }
        var filter = "scope_code IN (\(InfoValidation.placeholders(scopes.count)))"
        var values: [SQLValue] = scopes.map { .text($0) }
        if citizenID != nil && !r.includeClosed { filter += " AND closes_at > ?"; values.append(.integer(now)) }
        let (f, v, me) = (filter, values, citizenID)
        let (polls, answers, total) = try await core.read { db in
            let total = try db.queryOne("SELECT count(*) FROM polls WHERE \(f)", v) { $0.int(0) } ?? 0
            let page = before.map { (f + " AND id < ?", v + [.integer($0)]) } ?? (f, v)
            let polls = try db.query("SELECT \(Self.columns) FROM polls WHERE \(page.0) ORDER BY id DESC LIMIT ?",
                                     page.1 + [.integer(Int64(size + 1))]) { Self.row($0, now: now) }
            var answers: [UInt64: PollResponses.Response] = [:]
            if let me {
                for p in polls.prefix(size) { answers[p.id] = try PollResponses.response(db, pollID: Int64(p.id), citizenID: me) }
            }
            return (polls, answers, total)
        }
        var response = Portal_V1_ListPollsResponse()
        response.polls = polls.prefix(size).map { p in
            var v = Portal_V1_PollView()
            v.poll = withTier(p)
            if let mine = answers[p.id] { v.myAnswers = mine.answers; v.myAnsweredAt = .init(millis: mine.at) }
            v.resultsVisible = PollResponses.resultsVisible(p, to: who, responded: answers[p.id] != nil, access: access)
            return v
        }
        response.page = InfoPaging.info(next: polls.count > size ? InfoPaging.token(Int64(polls[size - 1].id)) : nil, total: total)
        return response
    }

    /// One poll with the caller's answers and, when he may see them, the results.
    func get(_ r: Portal_V1_GetPollRequest, for who: Principal) async throws(PortalError) -> Portal_V1_PollView {
        let id = try InfoValidation.id(r.id, field: "id")
        let now = core.now()
        guard let poll = try await core.read({ db in try Self.load(db, id: id, now: now) }) else { throw .notFound("poll \(id) not found") }
        try checkReadable(poll, by: who)
        return try await PollResponses(core: core).view(of: withTier(poll), for: who)
    }

    func checkReadable(_ poll: Portal_V1_Poll, by who: Principal) throws(PortalError) {
        switch who {
        case .citizen(let c):
            guard access.reach(of: c.districtCode).contains(poll.scopeCode) else { throw .permissionDenied("the poll is not for your district") }
        case .staff(let s):
            guard InfoAccess.publishers.contains(s.role) else { throw .permissionDenied("your role does not run polls") }
            guard try access.readable(by: s, scope: "").contains(poll.scopeCode) else { throw .permissionDenied("the poll is outside your jurisdiction") }
        }
    }
}
