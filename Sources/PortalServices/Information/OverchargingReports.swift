import PortalModel

/// A citizen reports a shop charging more than the official price. The report is checked
/// against the district's current price list and filed through ComplaintFiling as a
/// complaint in the "price-control" category: it gets a normal complaint code, lands in the
/// Deputy Commissioner's queue, escalates, and reaches the citizen's message box like any
/// complaint (the DC's price-control team raids the shop and resolves it with remarks).
struct OverchargingReports: Sendable {
    let core: PortalCore
    static let category = "price-control"

    func report(_ r: Portal_V1_ReportOverchargingRequest, by citizen: Principal.Citizen) async throws(PortalError) -> Portal_V1_Complaint {
        let key = try InfoValidation.key(r.idempotencyKey, field: "idempotency_key")
        // A retry returns the complaint the first attempt filed, whatever the prices are now.
        if let earlier = try await core.read({ db in
            try db.queryOne("SELECT code FROM complaints WHERE citizen_id = ? AND idempotency_key = ?", [citizen.id, key]) { $0.text(0) }
                .flatMap { try ComplaintRecords.load(db, code: $0, timeline: true) }
        }) { return earlier }
        let district = try core.directory.district(r.districtCode.isEmpty ? citizen.districtCode : r.districtCode, field: "district_code")
        let commodity = try InfoValidation.slug(r.commodityCode, field: "commodity_code")
        guard r.chargedPricePaisa > 0 else { throw .missing("charged_price_paisa") }
        guard r.chargedPricePaisa <= PriceLists.maxPricePaisa else {
            throw .invalidArgument(field: "charged_price_paisa", reason: "must be at most Rs 1,000,000")
        }
        let shop = try PortalValidation.text(r.shopName, field: "shop_name", min: 1, max: 200)
        let address = try PortalValidation.text(r.shopAddress, field: "shop_address", min: 1, max: 500)
        let details = try PortalValidation.text(r.details, field: "details", min: 0, max: 2000)
        guard let category = core.directory.category(Self.category), category.active else {
            throw .failedPrecondition("price-control complaints are not being accepted at present")
        }
        let now = core.now()
        guard let list = try await core.read({ db in try PriceLists.current(db, district: district.code, now: now) }) else {
            throw .failedPrecondition("no official price list is in effect in \(district.name)")
        }
        guard let item = list.items.first(where: { $0.commodityCode == commodity }) else {
            throw .invalidArgument(field: "commodity_code", reason: "is not on the current price list of \(district.name)")
        }
        guard r.chargedPricePaisa > item.pricePaisa else {
            throw .invalidArgument(field: "charged_price_paisa", reason: "is not above the official price (\(item.pricePaisa.rupees) per \(item.unit))")
        }
        let effective = list.effectiveFrom?.millisIfValid ?? now
        var description = "Overcharging: \(item.commodityName) sold at \(r.chargedPricePaisa.rupees) per \(item.unit) against the official "
            + "\(item.pricePaisa.rupees) (price list of \(district.name), effective \(PakistanTime.date(effective))) by \(shop), \(address)."
        if !details.isEmpty { description += "\n\(details)" }

        var complaint = Portal_V1_FileComplaintRequest()
        complaint.idempotencyKey = r.idempotencyKey
        complaint.categoryCode = category.code
        complaint.description_p = description
        complaint.districtCode = district.code
        complaint.location = r.location
        complaint.address = address
        complaint.attachmentIds = r.attachmentIds
        return try await ComplaintFiling(core: core).file(complaint, by: citizen)
    }
}
