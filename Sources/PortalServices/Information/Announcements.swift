import PortalModel
import PortalStore

/// Public announcements (emergency, law and order, public notice) for a district, a division
/// or the province, in English and Urdu: published by the heads of a jurisdiction, in force
/// until they expire or are withdrawn. Every publication and withdrawal takes the next
/// `feed_seq`, which the live feed (AnnouncementFeed) resumes from.
struct Announcements: Sendable {
    let core: PortalCore
    let watchers: AnnouncementWatchers
    var access: InfoAccess { InfoAccess(directory: core.directory) }

    typealias Category = Portal_V1_AnnouncementCategory

    static let columns = """
        id, category, scope_code, title, title_urdu, body, body_urdu, published_at, expires_at, publisher_role,
        publisher_name, withdrawn_at, withdrawal_reason, feed_seq
        """

    static func row(_ r: borrowing Row, now: Int64) -> Portal_V1_Announcement {
        var a = Portal_V1_Announcement()
        a.id = UInt64(r.int(0))
        a.category = Category(rawValue: Int32(r.int(1)))
        a.scopeCode = r.text(2)
        a.title = r.text(3); a.titleUrdu = r.text(4); a.body = r.text(5); a.bodyUrdu = r.text(6)
        a.publishedAt = .init(millis: r.int(7))
        let expires = r.int(8)
        a.expiresAt = .init(millis: expires)
        a.publisherRole = Portal_V1_Role(rawValue: Int32(r.int(9)))
        a.publisherName = r.text(10)
        if let withdrawn = r.optionalInt(11) {
            a.withdrawnAt = .init(millis: withdrawn)
            a.status = .withdrawn
        } else {
            a.status = expires > now ? .active : .expired
        }
        a.withdrawalReason = r.text(12)
        a.feedSequence = UInt64(r.int(13))
        return a
    }

    func withTier(_ a: Portal_V1_Announcement) -> Portal_V1_Announcement {
        var a = a
        a.scopeTier = core.directory.jurisdiction(a.scopeCode)?.tier ?? .unspecified
        return a
    }

    static func load(_ db: Database, id: Int64, now: Int64) throws -> Portal_V1_Announcement? {
        try db.queryOne("SELECT \(columns) FROM announcements WHERE id = ?", [id]) { row($0, now: now) }
    }

    static func nextFeedSequence(_ db: Database) throws -> Int64 {
        try db.queryOne("SELECT coalesce(max(feed_seq), 0) + 1 FROM announcements", []) { $0.int(0) } ?? 1
    }

    func publish(_ r: Portal_V1_PublishAnnouncementRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Announcement {
        guard (1...3).contains(r.category.rawValue) else {
            throw r.category == .unspecified ? .missing("category")
                : .invalidArgument(field: "category", reason: "must be emergency, law and order or public notice")
        }
        let scope = try access.publishScope(staff, r.scopeCode, field: "scope_code")
        let title = try PortalValidation.text(r.title, field: "title", min: 1, max: 200)
        let titleUrdu = try PortalValidation.text(r.titleUrdu, field: "title_urdu", min: 0, max: 200)
        let body = try PortalValidation.text(r.body, field: "body", min: 1, max: 5000)
        let bodyUrdu = try PortalValidation.text(r.bodyUrdu, field: "body_urdu", min: 0, max: 5000)
        let now = core.now()
        let expires = try InfoValidation.time(r.expiresAt, field: "expires_at")
        guard expires > now else { throw .invalidArgument(field: "expires_at", reason: "must be in the future") }
        guard expires <= now + 365 * Millis.day else { throw .invalidArgument(field: "expires_at", reason: "must be at most 365 days ahead") }
        let office = access.office(of: staff), actor = Principal.staff(staff), category = r.category
        let published = try await core.write { db in
            let seq = try Self.nextFeedSequence(db)
            try db.run("""
                INSERT INTO announcements (category, scope_code, title, title_urdu, body, body_urdu, published_at, expires_at,
                    publisher_id, publisher_role, publisher_name, feed_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, Int64(category.rawValue), scope.code, title, titleUrdu, body, bodyUrdu, now, expires,
                staff.id, Int64(staff.role.rawValue), office, seq)
            let id = db.lastInsertRowID
            try AuditLog.append(db, at: now, actor: actor, action: "announcement.publish", target: "announcement:\(id)",
                                detail: "category=\(category.rawValue) scope=\(scope.code)")
            return try Self.load(db, id: id, now: now)!
        }
        watchers.wake(core, districts: core.directory.districts(within: scope.code))
        return withTier(published)
    }

    func withdraw(_ r: Portal_V1_WithdrawAnnouncementRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_Announcement {
        let id = try InfoValidation.id(r.id, field: "id")
        let reason = try PortalValidation.text(r.reason, field: "reason", min: 1, max: 500)
        let access = self.access, actor = Principal.staff(staff), now = core.now()
        let withdrawn = try await core.write { db in
            guard let a = try Self.load(db, id: id, now: now) else { throw PortalError.notFound("announcement \(id) not found") }
            guard access.canPublish(staff, for: a.scopeCode) else { throw PortalError.permissionDenied("the announcement is outside your jurisdiction") }
            guard a.status == .active else { throw PortalError.failedPrecondition("the announcement is already \(a.status == .withdrawn ? "withdrawn" : "expired")") }
            try db.run("UPDATE announcements SET withdrawn_at = ?, withdrawal_reason = ?, feed_seq = ? WHERE id = ?",
                       now, reason, try Self.nextFeedSequence(db), id)
            try AuditLog.append(db, at: now, actor: actor, action: "announcement.withdraw", target: "announcement:\(id)")
            return try Self.load(db, id: id, now: now)!
        }
        watchers.wake(core, districts: core.directory.districts(within: withdrawn.scopeCode))
        return withTier(withdrawn)
    }

    /// A citizen's list: in force for his district. A publisher's: what he may read (see
    /// InfoAccess.readable), inactive ones on request. Emergencies first, newest first within
    /// a category; the page token is (category, id) of the last item.
    func list(_ r: Portal_V1_ListAnnouncementsRequest, for who: Principal) async throws(PortalError) -> Portal_V1_ListAnnouncementsResponse {
        guard (0...3).contains(r.category.rawValue) else { throw .invalidArgument(field: "category", reason: "is not a known category") }
        let size = try InfoPaging.size(r.page)
        let token = try InfoPaging.token(r.page, count: 2)
        let now = core.now()
        var clauses: [String] = [], values: [SQLValue] = []
        let scopes: [String]
        var activeOnly = true
        switch who {
        case .citizen(let c):
            guard r.scopeCode.isEmpty else { throw .permissionDenied("citizens see the announcements of their own district") }
            scopes = access.reach(of: c.districtCode)
        case .staff(let s):
            guard InfoAccess.publishers.contains(s.role) else { throw .permissionDenied("your role does not publish announcements") }
            scopes = try access.readable(by: s, scope: r.scopeCode)
            activeOnly = !r.includeInactive
        }
        clauses.append("scope_code IN (\(InfoValidation.placeholders(scopes.count)))")
        values.append(contentsOf: scopes.map { .text($0) })
        if activeOnly { clauses.append("withdrawn_at IS NULL AND expires_at > ?"); values.append(.integer(now)) }
        if r.category != .unspecified { clauses.append("category = ?"); values.append(.integer(Int64(r.category.rawValue))) }
        let filter = clauses.joined(separator: " AND "), bound = values
        let (rows, total) = try await core.read { db in
            let total = try db.queryOne("SELECT count(*) FROM announcements WHERE \(filter)", bound) { $0.int(0) } ?? 0
            var pageFilter = filter, pageValues = bound
            if let token {
                pageFilter += " AND (category > ? OR (category = ? AND id < ?))"
                pageValues += [.integer(token[0]), .integer(token[0]), .integer(token[1])]
            }
            let rows = try db.query("SELECT \(Self.columns) FROM announcements WHERE \(pageFilter) ORDER BY category, id DESC LIMIT ?",
                                    pageValues + [.integer(Int64(size + 1))]) { Self.row($0, now: now) }
            return (rows, total)
        }
        var response = Portal_V1_ListAnnouncementsResponse()
        response.announcements = rows.prefix(size).map(withTier)
        let last = rows.count > size ? response.announcements.last : nil
        response.page = InfoPaging.info(next: last.map { InfoPaging.token(Int64($0.category.rawValue), Int64($0.id)) }, total: total)
        return response
    }

    func get(_ r: Portal_V1_GetAnnouncementRequest, for who: Principal) async throws(PortalError) -> Portal_V1_Announcement {
        let id = try InfoValidation.id(r.id, field: "id")
        let now = core.now()
        guard let a = try await core.read({ db in try Self.load(db, id: id, now: now) }) else { throw .notFound("announcement \(id) not found") }
        switch who {
        case .citizen(let c):
            guard access.reach(of: c.districtCode).contains(a.scopeCode) else { throw .permissionDenied("the announcement is not for your district") }
        case .staff(let s):
            guard InfoAccess.publishers.contains(s.role) else { throw .permissionDenied("your role does not publish announcements") }
            guard try access.readable(by: s, scope: "").contains(a.scopeCode) else { throw .permissionDenied("the announcement is outside your jurisdiction") }
        }
        return withTier(a)
    }
}
