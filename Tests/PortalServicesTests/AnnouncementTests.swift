import PortalRPC
import PortalServices
import Testing

/// Public announcements over the socket: scope (a Mardan announcement does not reach a
/// Peshawar citizen), publishing rights, emergencies first, the live stream with withdrawals
/// and lossless resumption, expiry.
@Suite struct AnnouncementTests {
    @Test func scopeDecidesWhoIsReached() async throws {
        try await withPortal { p in
            let peshawar = try await p.citizenAccount(district: "PSH")
            let mardan = try await p.citizenAccount(district: "MRD")
            let dcPeshawar = try await p.staffAccount(.deputyCommissioner, "PSH")
            let dcMardan = try await p.staffAccount(.deputyCommissioner, "MRD")
            let commissionerMardan = try await p.staffAccount(.commissioner, "DIV-MRD")
            let chiefSecretary = try await p.staffAccount(.chiefSecretary, "KP")
            let week = p.time(in: .seconds(7 * 86_400))

            let inMardan = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "MRD", title: "Mardan: road closure", expires: week),
                                                                options: dcMardan.options)
            #expect(inMardan.status == .active && inMardan.scopeTier == .district)
            #expect(inMardan.publisherName == "Deputy Commissioner, Mardan")
            let inPeshawar = try await p.info.publishAnnouncement(InfoRequests.announcement(.lawAndOrder, scope: "PSH", title: "Section 144 in Peshawar", expires: week),
                                                                  options: dcPeshawar.options)
            let province = try await p.info.publishAnnouncement(InfoRequests.announcement(.emergency, scope: "KP", title: "Flood warning", expires: week),
                                                                options: chiefSecretary.options)
            // A Commissioner publishes for a district of his division, not for another division's.
            let swabi = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "SWB", expires: week), options: commissionerMardan.options)
            await expectRefused("Commissioner of Mardan for Peshawar", .permissionDenied) {
                try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: week), options: commissionerMardan.options)
            }
            await expectRefused("DC of Mardan for Peshawar", .permissionDenied) {
                try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: week), options: dcMardan.options)
            }
            await expectRefused("DC of Mardan for the province", .permissionDenied) {
                try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "KP", expires: week), options: dcMardan.options)
            }

            // Citizens: their district, its division and the province; emergencies first.
            let seenInPeshawar = try await p.info.listAnnouncements(.init(), options: peshawar.options).announcements.map(\.id)
            #expect(seenInPeshawar == [province.id, inPeshawar.id])
            let seenInMardan = try await p.info.listAnnouncements(.init(), options: mardan.options).announcements.map(\.id)
            #expect(seenInMardan == [province.id, inMardan.id])
            await expectRefused("Mardan's announcement fetched by a Peshawar citizen", .permissionDenied) {
                try await p.info.getAnnouncement(.with { $0.id = inMardan.id }, options: peshawar.options)
            }
            #expect(try await p.info.getAnnouncement(.with { $0.id = inMardan.id }, options: mardan.options).title == "Mardan: road closure")

            // Publishers: what they may manage, and what reaches their jurisdiction from above.
            let dcList = try await p.info.listAnnouncements(.init(), options: dcMardan.options).announcements.map(\.id)
            #expect(Set(dcList) == [province.id, inMardan.id])
            let commissionerList = try await p.info.listAnnouncements(.init(), options: commissionerMardan.options).announcements.map(\.id)
            #expect(Set(commissionerList) == [province.id, inMardan.id, swabi.id])
            let filtered = try await p.info.listAnnouncements(.with { $0.category = .emergency }, options: chiefSecretary.options)
            #expect(filtered.announcements.map(\.id) == [province.id])
            #expect(filtered.page?.totalCount == 1)

            // Paging: one per page, emergencies first, then the rest.
            var ids: [UInt64] = []
            var token = ""
            repeat {
                let page = try await p.info.listAnnouncements(.with { $0.page = .with { $0.pageSize = 1; $0.pageToken = token } }, options: chiefSecretary.options)
                ids += page.announcements.map(\.id)
                token = page.page?.nextPageToken ?? ""
                #expect(page.page?.totalCount == 4)
            } while !token.isEmpty
            #expect(ids == [province.id, inPeshawar.id, swabi.id, inMardan.id])
        }
    }

    @Test func streamSendsWhatIsInForceThenLiveChangesEmergenciesFirst() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount(district: "PSH")
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let dcMardan = try await p.staffAccount(.deputyCommissioner, "MRD")
            let chiefSecretary = try await p.staffAccount(.chiefSecretary, "KP")
            let week = p.time(in: .seconds(7 * 86_400))

            let notice = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", title: "Polio campaign", expires: week), options: dc.options)
            let emergency = try await p.info.publishAnnouncement(InfoRequests.announcement(.emergency, scope: "PSH", title: "Gas leak in Hayatabad", expires: week),
                                                                 options: dc.options)
            _ = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "MRD", expires: week), options: dcMardan.options)

            let tap = StreamTap(try await p.info.watchAnnouncements(.init(), options: citizen.options)) { u in
                Update(id: u.announcement?.id ?? 0, status: u.announcement?.status ?? .unspecified, resume: u.resumeAfter)
            }
            defer { tap.cancel() }
            let initial = await tap.wait(for: 2, within: .seconds(30))
            // The emergency first although published later; Mardan's never.
            #expect(initial.items.map(\.id) == [emergency.id, notice.id])
            // After the emergency only, resuming must not skip the older notice.
            #expect(initial.items.first?.resume ?? 0 < notice.feedSequence)

            // Live: Mardan's does not arrive, the province's does; a withdrawal arrives as such.
            _ = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "MRD", expires: week), options: dcMardan.options)
            let flood = try await p.info.publishAnnouncement(InfoRequests.announcement(.emergency, scope: "KP", title: "Flood warning", expires: week),
                                                             options: chiefSecretary.options)
            _ = try await p.info.withdrawAnnouncement(.with { $0.id = notice.id; $0.reason = "Campaign postponed." }, options: dc.options)
            let live = await tap.wait(for: 4, within: .seconds(30))
            #expect(live.items.dropFirst(2).map(\.id) == [flood.id, notice.id])
            #expect(live.items.last?.status == .withdrawn)
            let resume = try #require(live.items.last?.resume)

            // Reconnecting after the last processed update: only what came later.
            tap.cancel()
            let later = try await p.info.publishAnnouncement(InfoRequests.announcement(.lawAndOrder, scope: "PSH", title: "Traffic diversion", expires: week),
                                                             options: dc.options)
            let resumed = StreamTap(try await p.info.watchAnnouncements(.with { $0.afterSequence = resume }, options: citizen.options)) { $0.announcement?.id ?? 0 }
            defer { resumed.cancel() }
            #expect(await resumed.wait(for: 1, within: .seconds(30)).items == [later.id])
            #expect(await resumed.wait(for: 2, within: .seconds(1)).items == [later.id])  // and nothing older after it

            // Only citizens watch announcements.
            await expectRefused("an officer watching", .permissionDenied) {
                try await firstMessage(of: try await p.info.watchAnnouncements(.init(), options: dc.options), within: .seconds(30))
            }
        }
    }

    struct Update: Equatable, Sendable {
        var id: UInt64
        var status: Portal_V1_AnnouncementStatus
        var resume: UInt64
    }

    @Test func expiryAndWithdrawal() async throws {
        try await withPortal { p in
            let citizen = try await p.citizenAccount(district: "PSH")
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let dcMardan = try await p.staffAccount(.deputyCommissioner, "MRD")
            let short = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: p.time(in: .seconds(3600))), options: dc.options)
            let long = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: p.time(in: .seconds(30 * 86_400))), options: dc.options)
            p.clock.advance(byMillis: 2 * 3_600_000)

            #expect(try await p.info.listAnnouncements(.init(), options: citizen.options).announcements.map(\.id) == [long.id])
            let all = try await p.info.listAnnouncements(.with { $0.includeInactive = true }, options: dc.options).announcements
            #expect(all.first { $0.id == short.id }?.status == .expired)
            await expectRefused("withdrawing an expired one", .failedPrecondition) {
                try await p.info.withdrawAnnouncement(.with { $0.id = short.id; $0.reason = "Old." }, options: dc.options)
            }
            await expectRefused("another district's DC withdrawing", .permissionDenied) {
                try await p.info.withdrawAnnouncement(.with { $0.id = long.id; $0.reason = "Mistake." }, options: dcMardan.options)
            }
            let withdrawn = try await p.info.withdrawAnnouncement(.with { $0.id = long.id; $0.reason = "Issued by mistake." }, options: dc.options)
            #expect(withdrawn.status == .withdrawn && withdrawn.withdrawalReason == "Issued by mistake.")
            #expect(withdrawn.feedSequence > long.feedSequence)
            await expectRefused("withdrawing twice", .failedPrecondition) {
                try await p.info.withdrawAnnouncement(.with { $0.id = long.id; $0.reason = "Again." }, options: dc.options)
            }
            #expect(try await p.info.listAnnouncements(.init(), options: citizen.options).announcements.isEmpty)
            #expect(try await p.info.getAnnouncement(.with { $0.id = long.id }, options: citizen.options).status == .withdrawn)
            await expectRefused("citizen asking for include_inactive with a scope", .permissionDenied) {
                try await p.info.listAnnouncements(.with { $0.scopeCode = "MRD" }, options: citizen.options)
            }
        }
    }
}
