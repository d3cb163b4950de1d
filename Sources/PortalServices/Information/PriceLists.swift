import PortalModel
import PortalStore

/// Official prices of essential commodities: each district's Deputy Commissioner (or a
/// Commissioner, the Chief Secretary or an admin above him) publishes a whole list with the
/// date it takes effect. The current list of a district is the latest one in effect; every
/// list stays as history.
struct PriceLists: Sendable {
    let core: PortalCore
    var access: InfoAccess { InfoAccess(directory: core.directory) }

    static let maxPricePaisa: UInt64 = 100_000_000  // Rs 1,000,000

    static func listRow(_ r: borrowing Row) -> Portal_V1_PriceList {
        var l = Portal_V1_PriceList()
        l.id = UInt64(r.int(0)); l.districtCode = r.text(1); l.effectiveFrom = .init(millis: r.int(2))
        l.publishedAt = .init(millis: r.int(3)); l.publisherRole = Portal_V1_Role(rawValue: Int32(r.int(4)))
        l.publisherName = r.text(5); l.notes = r.text(6)
        return l
    }

    static func load(_ db: Database, id: Int64) throws -> Portal_V1_PriceList? {
        guard var l = try db.queryOne("SELECT id, district_code, effective_from, published_at, publisher_role, publisher_name, notes FROM price_lists WHERE id = ?",
                                      [id], listRow) else { return nil }
        l.items = try db.query("SELECT commodity_code, name, name_urdu, unit, price_paisa FROM price_items WHERE price_list_id = ? ORDER BY position", [id]) { r in
            var i = Portal_V1_PriceItem()
            i.commodityCode = r.text(0); i.commodityName = r.text(1); i.commodityNameUrdu = r.text(2); i.unit = r.text(3)
            i.pricePaisa = UInt64(r.int(4))
            return i
        }
        return l
    }

    /// The list in effect in a district at `now`: the latest effective date, then the latest published.
    static func current(_ db: Database, district: String, now: Int64) throws -> Portal_V1_PriceList? {
        guard let id = try db.queryOne("""
            SELECT id FROM price_lists WHERE district_code = ? AND effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1
            """, [district, now], { $0.int(0) }) else { return nil }
        return try load(db, id: id)
    }

    func publish(_ r: Portal_V1_PublishPriceListRequest, by staff: Principal.Staff) async throws(PortalError) -> Portal_V1_PriceList {
        let district = try core.directory.district(r.districtCode, field: "district_code")
        guard access.canPublish(staff, for: district.code) else { throw .permissionDenied("district_code is outside your jurisdiction") }
        let now = core.now()
        let effective = try InfoValidation.optionalTime(r.effectiveFrom, field: "effective_from") ?? now
        guard effective >= now - Millis.day else { throw .invalidArgument(field: "effective_from", reason: "must not be more than 1 day in the past") }
        guard effective <= now + 30 * Millis.day else { throw .invalidArgument(field: "effective_from", reason: "must be at most 30 days ahead") }
        guard !r.items.isEmpty else { throw .missing("items") }
        guard r.items.count <= 300 else { throw .invalidArgument(field: "items", reason: "at most 300 commodities") }
        var items: [Portal_V1_PriceItem] = []
        var seen = Set<String>()
        for (n, i) in r.items.enumerated() {
            var item = Portal_V1_PriceItem()
            item.commodityCode = try InfoValidation.slug(i.commodityCode, field: "items[\(n)].commodity_code")
            guard seen.insert(item.commodityCode).inserted else {
                throw .invalidArgument(field: "items[\(n)].commodity_code", reason: "is listed twice")
            }
            item.commodityName = try PortalValidation.text(i.commodityName, field: "items[\(n)].commodity_name", min: 1, max: 100)
            item.commodityNameUrdu = try PortalValidation.text(i.commodityNameUrdu, field: "items[\(n)].commodity_name_urdu", min: 0, max: 100)
            item.unit = try PortalValidation.text(i.unit, field: "items[\(n)].unit", min: 1, max: 20)
            guard i.pricePaisa > 0 else { throw .invalidArgument(field: "items[\(n)].price_paisa", reason: "must be more than 0") }
            guard i.pricePaisa <= Self.maxPricePaisa else { throw .invalidArgument(field: "items[\(n)].price_paisa", reason: "must be at most Rs 1,000,000") }
            item.pricePaisa = i.pricePaisa
            items.append(item)
        }
        let notes = try PortalValidation.text(r.notes, field: "notes", min: 0, max: 1000)
        let office = access.office(of: staff), actor = Principal.staff(staff), checked = items
        return try await core.write { db in
            try db.run("""
                INSERT INTO price_lists (district_code, effective_from, published_at, publisher_id, publisher_role, publisher_name, notes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, district.code, effective, now, staff.id, Int64(staff.role.rawValue), office, notes)
            let id = db.lastInsertRowID
            for (position, i) in checked.enumerated() {
                try db.run("INSERT INTO price_items (price_list_id, commodity_code, name, name_urdu, unit, price_paisa, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           id, i.commodityCode, i.commodityName, i.commodityNameUrdu, i.unit, Int64(i.pricePaisa), Int64(position))
            }
            try AuditLog.append(db, at: now, actor: actor, action: "prices.publish", target: "price_list:\(id)",
                                detail: "district=\(district.code) items=\(checked.count)")
            return try Self.load(db, id: id)!
        }
    }

    /// The district a public price call is about: the one named, else a signed-in citizen's.
    func district(_ code: String, caller: Principal?) throws(PortalError) -> String {
        if code.isEmpty, case .citizen(let c)? = caller { return c.districtCode }
        return try core.directory.district(code, field: "district_code").code
    }

    func current(_ r: Portal_V1_GetCurrentPricesRequest, caller: Principal?) async throws(PortalError) -> Portal_V1_PriceList {
        let district = try self.district(r.districtCode, caller: caller)
        let now = core.now()
        guard let list = try await core.read({ db in try Self.current(db, district: district, now: now) }) else {
            throw .notFound("no price list is in effect in \(district)")
        }
        return list
    }

    /// One commodity's prices in a district, newest effective date first (lists that take
    /// effect later included); the page token is (effective_from, list id) of the last point.
    func history(_ r: Portal_V1_GetPriceHistoryRequest, caller: Principal?) async throws(PortalError) -> Portal_V1_GetPriceHistoryResponse {
        let district = try self.district(r.districtCode, caller: caller)
        let commodity = try InfoValidation.slug(r.commodityCode, field: "commodity_code")
        let size = try InfoPaging.size(r.page)
        let token = try InfoPaging.token(r.page, count: 2)
        let (points, total) = try await core.read { db in
            let base = "FROM price_lists l JOIN price_items i ON i.price_list_id = l.id AND i.commodity_code = ? WHERE l.district_code = ?"
            let total = try db.queryOne("SELECT count(*) \(base)", [commodity, district]) { $0.int(0) } ?? 0
            var values: [SQLValue] = [.text(commodity), .text(district)]
            var page = ""
            if let token {
                page = " AND (l.effective_from < ? OR (l.effective_from = ? AND l.id < ?))"
                values += [.integer(token[0]), .integer(token[0]), .integer(token[1])]
            }
            let points = try db.query("SELECT l.id, l.effective_from, i.unit, i.price_paisa \(base)\(page) ORDER BY l.effective_from DESC, l.id DESC LIMIT ?",
                                      values + [.integer(Int64(size + 1))]) { r in
                var p = Portal_V1_PricePoint()
                p.priceListId = UInt64(r.int(0)); p.effectiveFrom = .init(millis: r.int(1)); p.unit = r.text(2); p.pricePaisa = UInt64(r.int(3))
                return p
            }
            return (points, total)
        }
        var response = Portal_V1_GetPriceHistoryResponse()
        response.points = Array(points.prefix(size))
        let last = points.count > size ? response.points.last : nil
        response.page = InfoPaging.info(next: last.map { InfoPaging.token($0.effectiveFrom?.millisIfValid ?? 0, Int64($0.priceListId)) }, total: total)
        return response
    }
}
