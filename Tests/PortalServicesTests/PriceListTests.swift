import PortalRPC
import PortalServices
import Testing

/// Official commodity prices: published by the district, read by anyone (current and history),
/// and overcharging reported as a price-control complaint that the DC's team acts on.
@Suite struct PriceListTests {
    @Test func districtPublishesAndAnyoneReadsCurrentPricesAndHistory() async throws {
        try await withPortal { p in
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let dcMardan = try await p.staffAccount(.deputyCommissioner, "MRD")
            let citizen = try await p.citizenAccount(district: "PSH")
            let first = try await p.info.publishPriceList(InfoRequests.priceList(district: "PSH"), options: dc.options)
            #expect(first.items.map(\.commodityCode) == ["wheat-flour", "sugar", "milk"])
            #expect(first.publisherName == "Deputy Commissioner, Peshawar")
            await expectRefused("another district's DC", .permissionDenied) {
                try await p.info.publishPriceList(InfoRequests.priceList(district: "PSH"), options: dcMardan.options)
            }

            // Public: no sign-in with a district; a citizen's own district by default.
            #expect(try await p.info.getCurrentPrices(.with { $0.districtCode = "PSH" }).id == first.id)
            #expect(try await p.info.getCurrentPrices(.init(), options: citizen.options).id == first.id)
            await expectRefused("no district without sign-in", field: "district_code") { try await p.info.getCurrentPrices(.init()) }
            await expectRefused("a district without a list", .notFound) { try await p.info.getCurrentPrices(.with { $0.districtCode = "SWT" }) }
            await expectRefused("a bad token", .unauthenticated) {
                try await p.info.getCurrentPrices(.with { $0.districtCode = "PSH" }, options: TestPortal.auth("not-a-token"))
            }

            // A list taking effect tomorrow is history-to-be, not current.
            let tomorrow = try await p.info.publishPriceList(.with { r in
                r = InfoRequests.priceList(district: "PSH", sugar: 16_000)
                r.effectiveFrom = p.time(in: .seconds(86_400))
            }, options: dc.options)
            #expect(try await p.info.getCurrentPrices(.with { $0.districtCode = "PSH" }).id == first.id)
            p.clock.advance(byDays: 1)
            let current = try await p.info.getCurrentPrices(.with { $0.districtCode = "PSH" })
            #expect(current.id == tomorrow.id && current.items.first { $0.commodityCode == "sugar" }?.pricePaisa == 16_000)

            let history = try await p.info.getPriceHistory(.with { $0.districtCode = "PSH"; $0.commodityCode = "sugar"; $0.page = .with { $0.pageSize = 1 } })
            #expect(history.points.map(\.pricePaisa) == [16_000] && history.page?.totalCount == 2)
            let older = try await p.info.getPriceHistory(.with { r in
                r.districtCode = "PSH"; r.commodityCode = "sugar"; r.page = .with { $0.pageSize = 1; $0.pageToken = history.page?.nextPageToken ?? "" }
            })
            #expect(older.points.map(\.pricePaisa) == [15_000] && older.page?.nextPageToken == "")
        }
    }

    @Test func overchargingBecomesAPriceControlComplaintTheDCActsOn() async throws {
        try await withPortal { p in
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let citizen = try await p.citizenAccount(district: "PSH")
            _ = try await p.info.publishPriceList(InfoRequests.priceList(district: "PSH"), options: dc.options)
            let updates = StreamTap(try await p.citizen.watchUpdates(.init(), options: citizen.options)) { MessageSeen($0) }
            defer { updates.cancel() }

            let receipt = try await p.uploadScan(citizen.options)
            let report = Portal_V1_ReportOverchargingRequest.with { r in
                r.idempotencyKey = "over-0001-psh"; r.commodityCode = "sugar"; r.chargedPricePaisa = 18_000
                r.shopName = "Al-Madina General Store"; r.shopAddress = "Shop 4, Khyber Bazaar, Peshawar"
                r.details = "The shopkeeper refused to show the official rate list."; r.attachmentIds = [receipt]
            }
            let complaint = try await p.info.reportOvercharging(report, options: citizen.options)
            #expect(complaint.categoryCode == "price-control" && complaint.districtCode == "PSH" && complaint.status == .new)
            #expect(complaint.code.hasPrefix("PSH-"))
            #expect(complaint.description_p.contains("Rs 180.00") && complaint.description_p.contains("Rs 150.00"))
            #expect(complaint.attachments.map(\.id) == [receipt])
            // The same key again: the same complaint.
            #expect(try await p.info.reportOvercharging(report, options: citizen.options).code == complaint.code)

            // In the DC's queue like any complaint; the raid resolves it.
            let queue = try await p.officer.listComplaints(.with { $0.categoryCode = "price-control" }, options: dc.options)
            #expect(queue.complaints.map(\.code) == [complaint.code])
            _ = try await p.officer.resolveComplaint(.with { r in
                r.code = complaint.code; r.remarks = "DC team raided the store; fined Rs 10,000 and the rate list is displayed."
            }, options: dc.options)
            let seen = await updates.wait(for: 2, within: .seconds(30)).items
            #expect(seen.map(\.kind) == [.complaintFiled, .complaintResolved] && seen.allSatisfy { $0.reference == complaint.code })

            await expectRefused("not above the official price", field: "charged_price_paisa") {
                try await p.info.reportOvercharging(.with { r in r = report; r.idempotencyKey = "over-0002-psh"; r.chargedPricePaisa = 15_000; r.attachmentIds = [] },
                                                    options: citizen.options)
            }
            await expectRefused("a commodity not on the list", field: "commodity_code") {
                try await p.info.reportOvercharging(.with { r in r = report; r.idempotencyKey = "over-0003-psh"; r.commodityCode = "rice"; r.attachmentIds = [] },
                                                    options: citizen.options)
            }
            await expectRefused("a district without a list", .failedPrecondition) {
                try await p.info.reportOvercharging(.with { r in r = report; r.idempotencyKey = "over-0004-psh"; r.districtCode = "SWT"; r.attachmentIds = [] },
                                                    options: citizen.options)
            }
            await expectRefused("an officer reporting", .permissionDenied) { try await p.info.reportOvercharging(report, options: dc.options) }
        }
    }
}
