import PortalModel
import PortalRPC

/// `portal.v1.InfoService`: announcements, polls and surveys, commodity prices, jobs, tenders
/// and internships, and "How do I?" guides. Thin adapters: each call establishes its caller
/// (citizen, publisher, or nobody for the public reads) and hands over to the domain.
public struct InfoServiceHandler: Portal_V1_InfoService_Handler {
    let core: PortalCore
    /// Who is watching announcements; shared by the publishing calls and the stream.
    let watchers = AnnouncementWatchers()
    var auth: Authenticator { Authenticator(core: core) }
    var announcements: Announcements { Announcements(core: core, watchers: watchers) }

    public init(core: PortalCore) { self.core = core }

    // MARK: announcements

    public func listAnnouncements(request: Portal_V1_ListAnnouncementsRequest, context: RPCServerContext) async throws -> Portal_V1_ListAnnouncementsResponse {
        try await announcements.list(request, for: try await auth.principal(context))
    }

    public func getAnnouncement(request: Portal_V1_GetAnnouncementRequest, context: RPCServerContext) async throws -> Portal_V1_Announcement {
        try await announcements.get(request, for: try await auth.principal(context))
    }

    public func watchAnnouncements(request: Portal_V1_WatchAnnouncementsRequest, response: RPCWriter<Portal_V1_AnnouncementUpdate>,
                                   context: RPCServerContext) async throws {
        let citizen = try await auth.citizen(context)
        try await AnnouncementFeed(core: core, watchers: watchers).watch(request, citizen: citizen, response: response, context: context)
    }

    public func publishAnnouncement(request: Portal_V1_PublishAnnouncementRequest, context: RPCServerContext) async throws -> Portal_V1_Announcement {
        try await announcements.publish(request, by: try await auth.publisher(context))
    }

    public func withdrawAnnouncement(request: Portal_V1_WithdrawAnnouncementRequest, context: RPCServerContext) async throws -> Portal_V1_Announcement {
        try await announcements.withdraw(request, by: try await auth.publisher(context))
    }

    // MARK: polls

    public func createPoll(request: Portal_V1_CreatePollRequest, context: RPCServerContext) async throws -> Portal_V1_Poll {
        try await Polls(core: core).create(request, by: try await auth.publisher(context))
    }

    public func closePoll(request: Portal_V1_ClosePollRequest, context: RPCServerContext) async throws -> Portal_V1_Poll {
        try await Polls(core: core).close(request, by: try await auth.publisher(context))
    }

    public func listPolls(request: Portal_V1_ListPollsRequest, context: RPCServerContext) async throws -> Portal_V1_ListPollsResponse {
        try await Polls(core: core).list(request, for: try await auth.principal(context))
    }

    public func getPoll(request: Portal_V1_GetPollRequest, context: RPCServerContext) async throws -> Portal_V1_PollView {
        try await Polls(core: core).get(request, for: try await auth.principal(context))
    }

    public func respondToPoll(request: Portal_V1_RespondToPollRequest, context: RPCServerContext) async throws -> Portal_V1_PollView {
        try await PollResponses(core: core).respond(request, by: try await auth.citizen(context))
    }

    // MARK: prices

    public func publishPriceList(request: Portal_V1_PublishPriceListRequest, context: RPCServerContext) async throws -> Portal_V1_PriceList {
        try await PriceLists(core: core).publish(request, by: try await auth.publisher(context))
    }

    public func getCurrentPrices(request: Portal_V1_GetCurrentPricesRequest, context: RPCServerContext) async throws -> Portal_V1_PriceList {
        try await PriceLists(core: core).current(request, caller: try await auth.optionalPrincipal(context))
    }

    public func getPriceHistory(request: Portal_V1_GetPriceHistoryRequest, context: RPCServerContext) async throws -> Portal_V1_GetPriceHistoryResponse {
        try await PriceLists(core: core).history(request, caller: try await auth.optionalPrincipal(context))
    }

    public func reportOvercharging(request: Portal_V1_ReportOverchargingRequest, context: RPCServerContext) async throws -> Portal_V1_Complaint {
        try await OverchargingReports(core: core).report(request, by: try await auth.citizen(context))
    }

    // MARK: jobs, tenders, internships

    public func publishPosting(request: Portal_V1_PublishPostingRequest, context: RPCServerContext) async throws -> Portal_V1_Posting {
        try await Postings(core: core).publish(request, by: try await auth.publisher(context))
    }

    public func withdrawPosting(request: Portal_V1_WithdrawPostingRequest, context: RPCServerContext) async throws -> Portal_V1_Posting {
        try await Postings(core: core).withdraw(request, by: try await auth.publisher(context))
    }

    public func listPostings(request: Portal_V1_ListPostingsRequest, context: RPCServerContext) async throws -> Portal_V1_ListPostingsResponse {
        _ = try await auth.optionalPrincipal(context)
        return try await Postings(core: core).list(request)
    }

    public func getPosting(request: Portal_V1_GetPostingRequest, context: RPCServerContext) async throws -> Portal_V1_Posting {
        _ = try await auth.optionalPrincipal(context)
        return try await Postings(core: core).get(request)
    }

    // MARK: guides

    public func searchGuides(request: Portal_V1_SearchGuidesRequest, context: RPCServerContext) async throws -> Portal_V1_SearchGuidesResponse {
        _ = try await auth.optionalPrincipal(context)
        return try await Guides(core: core).search(request)
    }

    public func getGuide(request: Portal_V1_GetGuideRequest, context: RPCServerContext) async throws -> Portal_V1_Guide {
        _ = try await auth.optionalPrincipal(context)
        return try await Guides(core: core).get(request)
    }

    public func upsertGuide(request: Portal_V1_UpsertGuideRequest, context: RPCServerContext) async throws -> Portal_V1_Guide {
        try await Guides(core: core).upsert(request, by: try await auth.staff(context, roles: [.admin]))
    }
}
