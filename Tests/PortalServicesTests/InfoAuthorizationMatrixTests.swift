import Foundation
import PortalRPC
import PortalServices
import Testing

/// Every RPC of InfoService, EServicesService and IntegrationService, called over the socket by
/// every kind of caller with a valid request, so the only reasons left to fail are sign-in,
/// role and jurisdiction. One row per RPC; rows run in parallel against one shared portal.
/// The resources under test are in Peshawar (PSH, division DIV-PSH): an announcement, a poll,
/// a price list, a job and an internship, citizen A's domicile application (department DAD),
/// and a revenue case. Calls that change something get a fresh resource per cell.
@Suite(.sharedInfoMatrixPortal) struct InfoAuthorizationMatrixTests {
    @Test(arguments: InfoMatrix.rows)
    func callerOutcomes(_ row: InfoMatrixRow) async throws {
        let fx = try #require(InfoMatrixFixture.current)
        for caller in InfoCaller.allCases {
            let expected = row.expected[caller.rawValue]
            let outcome = await fx.run(row, as: caller)
            #expect(outcome == expected, "\(row.method.method) as \(caller): expected \(expected), got \(outcome)")
        }
    }

    /// A new RPC of these services without a row fails here.
    @Test func everyRPCHasExactlyOneRow() throws {
        let fx = try #require(InfoMatrixFixture.current)
        var router = RPCRouter()
        fx.portal.app.registerServices(with: &router)
        let descriptors = [Portal_V1_InfoService.descriptor, Portal_V1_EServicesService.descriptor, Portal_V1_IntegrationService.descriptor]
        let names = Set(descriptors.map(\.fullName))
        let served = Set(router.methods.filter { names.contains($0.service) }.map(\.path))
        let generated = Set(descriptors.flatMap(\.methods).map(\.path))
        let rows = InfoMatrix.rows.map(\.method.path)
        #expect(Set(rows).count == rows.count, "duplicate rows")
        #expect(served == generated, "served but not generated: \(served.subtracting(generated).sorted()); generated but not served: \(generated.subtracting(served).sorted())")
        #expect(Set(rows) == served, "RPCs without a row: \(served.subtracting(rows).sorted()); rows for no served RPC: \(Set(rows).subtracting(served).sorted())")
    }
}

/// Who calls.
enum InfoCaller: Int, CaseIterable, Sendable, CustomStringConvertible {
    case anonymous, citizenA, citizenMardan, officer, dcOwn, dcOther, commissioner, chiefSecretary, admin, integration

    var description: String {
        switch self {
        case .anonymous: "anonymous"
        case .citizenA: "citizen A (PSH)"
        case .citizenMardan: "citizen of MRD"
        case .officer: "DAD officer of PSH"
        case .dcOwn: "DC of PSH"
        case .dcOther: "DC of MRD"
        case .commissioner: "Commissioner of DIV-PSH"
        case .chiefSecretary: "Chief Secretary (KP)"
        case .admin: "admin"
        case .integration: "DAD back end (API key)"
        }
    }
}

struct InfoMatrixRow: Sendable, CustomTestStringConvertible {
    let method: MethodDescriptor
    let expected: [Outcome]
    let perform: @Sendable (InfoCell) async throws -> Void

    /// One token per caller in `InfoCaller` order: `ok`, `UA` or `PD`.
    init(_ method: MethodDescriptor, _ grid: String, _ perform: @escaping @Sendable (InfoCell) async throws -> Void) {
        let cells: [Outcome] = grid.split(separator: " ").map { token in
            switch token {
            case "ok": .ok
            case "UA": .status(.unauthenticated)
            case "PD": .status(.permissionDenied)
            default: .broken("the grid has an unknown token \(token)")
            }
        }
        expected = cells.count == InfoCaller.allCases.count ? cells
            : Array(repeating: .broken("the grid has \(cells.count) cells"), count: InfoCaller.allCases.count)
        self.method = method
        self.perform = perform
    }

    var testDescription: String { method.path }
}

struct InfoCell: Sendable {
    let fx: InfoMatrixFixture
    let caller: InfoCaller
    let recorder: RecordingTransport

    var options: RPCCallOptions { fx.options(caller) }
    var info: Portal_V1_InfoService_Client<RecordingTransport> { .init(transport: recorder) }
    var eservices: Portal_V1_EServicesService_Client<RecordingTransport> { .init(transport: recorder) }
    var integration: Portal_V1_IntegrationService_Client<RecordingTransport> { .init(transport: recorder) }
    var unique: String { UUID().uuidString.prefix(8).lowercased() }

    func check(_ condition: Bool, _ what: @autoclosure () -> String) throws {
        if !condition { throw Cell.Leak(what: what()) }
    }
}

enum InfoMatrix {
    typealias I = Portal_V1_InfoService.Method
    typealias E = Portal_V1_EServicesService.Method
    typealias G = Portal_V1_IntegrationService.Method

    static let rows: [InfoMatrixRow] = infoRows + eservicesRows + integrationRows

    static let publishers = "UA   PD   PD   PD   ok   PD   ok   ok   ok   UA"
    static let everyone = "ok   ok   ok   ok   ok   ok   ok   ok   ok   UA"
    static let citizens = "UA   ok   ok   PD   PD   PD   PD   PD   PD   UA"
    static let admins = "UA   PD   PD   PD   PD   PD   PD   PD   ok   UA"

    //                                                anon citA citM off  dcP  dcM  coP  CS   adm  int
    static let infoRows: [InfoMatrixRow] = [
        InfoMatrixRow(I.listAnnouncements,           "UA   ok   ok   PD   ok   ok   ok   ok   ok   UA") { c in
            let list = try await c.info.listAnnouncements(.init(), options: c.options)
            try c.check(list.announcements.allSatisfy { c.fx.reaches(c.caller, $0.scopeCode) }, "lists an announcement outside the caller's reach")
        },
        InfoMatrixRow(I.getAnnouncement,             "UA   ok   PD   PD   ok   PD   ok   ok   ok   UA") { c in
            _ = try await c.info.getAnnouncement(.with { $0.id = c.fx.announcement.id }, options: c.options)
        },
        InfoMatrixRow(I.watchAnnouncements,          "UA   ok   ok   PD   PD   PD   PD   PD   PD   UA") { c in
            let first = try await firstMessage(of: try await c.info.watchAnnouncements(.init(), options: c.options))
            try c.check(c.fx.reaches(c.caller, first.announcement?.scopeCode ?? ""), "streams \(first.announcement?.scopeCode ?? "?")")
        },
        InfoMatrixRow(I.publishAnnouncement,         publishers) { c in
            _ = try await c.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: c.fx.later), options: c.options)
        },
        InfoMatrixRow(I.withdrawAnnouncement,        publishers) { c in
            let id = try await setup("publish") { try await c.fx.portal.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: c.fx.later), options: c.fx.options(.dcOwn)).id }
            _ = try await c.info.withdrawAnnouncement(.with { $0.id = id; $0.reason = "Issued by mistake." }, options: c.options)
        },
        InfoMatrixRow(I.createPoll,                  publishers) { c in
            _ = try await c.info.createPoll(InfoRequests.poll(scope: "PSH", closes: c.fx.later), options: c.options)
        },
        InfoMatrixRow(I.closePoll,                   publishers) { c in
            let id = try await setup("create") { try await c.fx.portal.info.createPoll(InfoRequests.poll(scope: "PSH", closes: c.fx.later), options: c.fx.options(.dcOwn)).id }
            _ = try await c.info.closePoll(.with { $0.id = id }, options: c.options)
        },
        InfoMatrixRow(I.listPolls,                   "UA   ok   ok   PD   ok   ok   ok   ok   ok   UA") { c in
            let list = try await c.info.listPolls(.init(), options: c.options)
            try c.check(list.polls.allSatisfy { c.fx.reaches(c.caller, $0.poll?.scopeCode ?? "") }, "lists a poll outside the caller's reach")
        },
        InfoMatrixRow(I.getPoll,                     "UA   ok   PD   PD   ok   PD   ok   ok   ok   UA") { c in
            _ = try await c.info.getPoll(.with { $0.id = c.fx.poll.id }, options: c.options)
        },
        InfoMatrixRow(I.respondToPoll,               "UA   ok   PD   PD   PD   PD   PD   PD   PD   UA") { c in
            _ = try await c.info.respondToPoll(.with { $0.pollId = c.fx.poll.id; $0.answers = [1] }, options: c.options)
        },
        InfoMatrixRow(I.publishPriceList,            publishers) { c in
            _ = try await c.info.publishPriceList(InfoRequests.priceList(district: "PSH"), options: c.options)
        },
        InfoMatrixRow(I.getCurrentPrices,            everyone) { c in
            _ = try await c.info.getCurrentPrices(.with { $0.districtCode = "PSH" }, options: c.options)
        },
        InfoMatrixRow(I.getPriceHistory,             everyone) { c in
            _ = try await c.info.getPriceHistory(.with { $0.districtCode = "PSH"; $0.commodityCode = "sugar" }, options: c.options)
        },
        InfoMatrixRow(I.reportOvercharging,          citizens) { c in
            let filed = try await c.info.reportOvercharging(.with { r in
                r.idempotencyKey = "matrix-\(c.unique)"; r.districtCode = "PSH"; r.commodityCode = "sugar"; r.chargedPricePaisa = 20_000
                r.shopName = "Khyber Store"; r.shopAddress = "Saddar Road, Peshawar"
            }, options: c.options)
            try c.check(filed.citizenId == c.fx.accounts[c.caller]?.id, "filed for someone else")
        },
        InfoMatrixRow(I.publishPosting,              publishers) { c in
            _ = try await c.info.publishPosting(InfoRequests.posting(place: "PSH", closes: c.fx.later), options: c.options)
        },
        InfoMatrixRow(I.withdrawPosting,             publishers) { c in
            let id = try await setup("publish") { try await c.fx.portal.info.publishPosting(InfoRequests.posting(place: "PSH", closes: c.fx.later), options: c.fx.options(.dcOwn)).id }
            _ = try await c.info.withdrawPosting(.with { $0.id = id; $0.reason = "Re-advertised." }, options: c.options)
        },
        InfoMatrixRow(I.listPostings,                everyone) { c in
            _ = try await c.info.listPostings(.with { $0.districtCode = "PSH" }, options: c.options)
        },
        InfoMatrixRow(I.getPosting,                  everyone) { c in
            _ = try await c.info.getPosting(.with { $0.id = c.fx.internship.id }, options: c.options)
        },
        InfoMatrixRow(I.searchGuides,                everyone) { c in
            let found = try await c.info.searchGuides(.with { $0.query = "domicile" }, options: c.options)
            try c.check(found.guides.first?.code == "domicile-certificate", "found \(found.guides.map(\.code))")
        },
        InfoMatrixRow(I.getGuide,                    everyone) { c in
            _ = try await c.info.getGuide(.with { $0.code = "fard-land-record" }, options: c.options)
        },
        InfoMatrixRow(I.upsertGuide,                 admins) { c in
            _ = try await c.info.upsertGuide(.with { $0.guide = c.fx.guide }, options: c.options)
        },
    ]

    //                                                anon citA citM off  dcP  dcM  coP  CS   adm  int
    static let eservicesRows: [InfoMatrixRow] = [
        InfoMatrixRow(E.applyForDomicile,            citizens) { c in
            // Citizens upload a scan first; for anyone else the call is refused before it matters.
            var scan = "AAAAAAAAAAAAAAAAAAAAAAAA"
            if c.caller == .citizenA || c.caller == .citizenMardan {
                scan = try await setup("upload") { try await c.fx.portal.uploadScan(c.options) }
            }
            _ = try await c.eservices.applyForDomicile(InfoRequests.domicile(attachments: [scan]), options: c.options)
        },
        InfoMatrixRow(E.applyForInternship,          citizens) { c in
            _ = try await c.eservices.applyForInternship(.with { r in
                r.idempotencyKey = "matrix-\(c.unique)"; r.postingId = c.fx.internship.id; r.qualification = "BS Economics"; r.institution = "Islamia College"
            }, options: c.options)
        },
        InfoMatrixRow(E.listMyApplications,          citizens) { c in
            let mine = try await c.eservices.listMyApplications(.init(), options: c.options)
            try c.check(mine.applications.allSatisfy { $0.citizenId == c.fx.accounts[c.caller]?.id }, "lists another citizen's applications")
        },
        InfoMatrixRow(E.getApplication,              "UA   ok   PD   ok   ok   PD   ok   ok   PD   UA") { c in
            let a = try await c.eservices.getApplication(.with { $0.trackingNumber = c.fx.application.trackingNumber }, options: c.options)
            try c.check(a.id == c.fx.application.id, "returned another application")
        },
        InfoMatrixRow(E.withdrawApplication,         "UA   ok   PD   PD   PD   PD   PD   PD   PD   UA") { c in
            let tracking = try await c.fx.freshApplication()
            _ = try await c.eservices.withdrawApplication(.with { $0.trackingNumber = tracking }, options: c.options)
        },
        InfoMatrixRow(E.listApplications,            "UA   PD   PD   ok   ok   PD   ok   ok   PD   UA") { c in
            let list = try await c.eservices.listApplications(.with { $0.scopeCode = "PSH" }, options: c.options)
            try c.check(list.applications.allSatisfy { $0.districtCode == "PSH" && (c.caller != .officer || $0.departmentCode == "DAD") }, "lists outside scope")
            try c.check(!list.applications.isEmpty, "lists nothing")
        },
        InfoMatrixRow(E.updateApplicationStatus,     "UA   PD   PD   ok   ok   PD   ok   ok   PD   UA") { c in
            let tracking = try await c.fx.freshApplication()
            _ = try await c.eservices.updateApplicationStatus(.with { $0.trackingNumber = tracking; $0.status = .underReview }, options: c.options)
        },
        InfoMatrixRow(E.getRevenueCase,              "UA   ok   ok   ok   ok   ok   ok   ok   ok   UA") { c in
            _ = try await c.eservices.getRevenueCase(.with { $0.caseNumber = InfoMatrixFixture.caseNumber }, options: c.options)
        },
        InfoMatrixRow(E.followRevenueCase,           citizens) { c in
            _ = try await c.eservices.followRevenueCase(.with { $0.caseNumber = InfoMatrixFixture.caseNumber; $0.follow = true }, options: c.options)
        },
        InfoMatrixRow(E.listMyRevenueCases,          citizens) { c in
            _ = try await c.eservices.listMyRevenueCases(.init(), options: c.options)
        },
        InfoMatrixRow(E.createIntegrationClient,     admins) { c in
            _ = try await c.eservices.createIntegrationClient(.with { $0.name = "Domicile system \(c.unique)"; $0.departmentCode = "DAD" }, options: c.options)
        },
        InfoMatrixRow(E.listIntegrationClients,      admins) { c in
            _ = try await c.eservices.listIntegrationClients(.init(), options: c.options)
        },
        InfoMatrixRow(E.revokeIntegrationClient,     admins) { c in
            let id = try await setup("create a client") { try await c.fx.portal.integrationKey(department: "HLT", admin: c.fx.accounts[.admin]).client.id }
            _ = try await c.eservices.revokeIntegrationClient(.with { $0.clientId = id }, options: c.options)
        },
    ]

    //                                                anon citA citM off  dcP  dcM  coP  CS   adm  int
    static let integrationRows: [InfoMatrixRow] = [
        InfoMatrixRow(G.listDepartmentApplications,  "UA   UA   UA   UA   UA   UA   UA   UA   UA   ok") { c in
            let feed = try await c.integration.listDepartmentApplications(.init(), options: c.options)
            try c.check(!feed.applications.isEmpty && feed.applications.allSatisfy { $0.departmentCode == "DAD" }, "another department's applications")
        },
        InfoMatrixRow(G.pushApplicationStatus,       "UA   UA   UA   UA   UA   UA   UA   UA   UA   ok") { c in
            let tracking = try await c.fx.freshApplication()
            _ = try await c.integration.pushApplicationStatus(.with { r in
                r.eventId = "evt-\(c.unique)"; r.trackingNumber = tracking; r.status = .underReview
            }, options: c.options)
        },
        InfoMatrixRow(G.pushRevenueCase,             "UA   UA   UA   UA   UA   UA   UA   UA   UA   ok") { c in
            _ = try await c.integration.pushRevenueCase(.with { r in
                r.revenueCase = .with { k in
                    k.caseNumber = "DAD/PSH/\(c.unique)"; k.title = "Ali vs Province"; k.court = "Assistant Commissioner, Peshawar"
                    k.districtCode = "PSH"; k.status = .instituted
                }
            }, options: c.options)
        },
    ]
}

/// One portal for the suite with every caller signed in and the resources under test in place.
final class InfoMatrixFixture: Sendable {
    @TaskLocal static var current: InfoMatrixFixture?
    static let caseNumber = "REV/PSH/2026/1"

    let portal: TestPortal
    let accounts: [InfoCaller: Account]
    let integrationOptions: RPCCallOptions
    let announcement: Portal_V1_Announcement
    let poll: Portal_V1_Poll
    let internship: Portal_V1_Posting
    let application: Portal_V1_Application
    let guide: Portal_V1_Guide
    let later: Google_Protobuf_Timestamp

    private init(portal: TestPortal, accounts: [InfoCaller: Account], integrationOptions: RPCCallOptions, announcement: Portal_V1_Announcement,
                 poll: Portal_V1_Poll, internship: Portal_V1_Posting, application: Portal_V1_Application, guide: Portal_V1_Guide,
                 later: Google_Protobuf_Timestamp) {
        self.portal = portal; self.accounts = accounts; self.integrationOptions = integrationOptions; self.announcement = announcement
        self.poll = poll; self.internship = internship; self.application = application; self.guide = guide; self.later = later
    }

    static func make(_ p: TestPortal) async throws -> InfoMatrixFixture {
        let admin = try await p.adminAccount()
        var accounts: [InfoCaller: Account] = [.admin: admin]
        accounts[.citizenA] = try await p.citizenAccount(district: "PSH")
        accounts[.citizenMardan] = try await p.citizenAccount(district: "MRD")
        accounts[.officer] = try await p.staffAccount(.departmentOfficer, "PSH", department: "DAD", admin: admin)
        accounts[.dcOwn] = try await p.staffAccount(.deputyCommissioner, "PSH", admin: admin)
        accounts[.dcOther] = try await p.staffAccount(.deputyCommissioner, "MRD", admin: admin)
        accounts[.commissioner] = try await p.staffAccount(.commissioner, "DIV-PSH", admin: admin)
        accounts[.chiefSecretary] = try await p.staffAccount(.chiefSecretary, "KP", admin: admin)
        let dc = accounts[.dcOwn]!.options
        let later = p.time(in: .seconds(30 * 86_400))

        let announcement = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "PSH", expires: later), options: dc)
        _ = try await p.info.publishAnnouncement(InfoRequests.announcement(scope: "MRD", expires: later), options: accounts[.dcOther]!.options)
        let poll = try await p.info.createPoll(InfoRequests.poll(scope: "PSH", visibility: .always, closes: later), options: dc)
        _ = try await p.info.publishPriceList(InfoRequests.priceList(district: "PSH"), options: dc)
        let internship = try await p.info.publishPosting(InfoRequests.posting(.internship, place: "PSH", department: "ESE", closes: later), options: dc)
        let citizenA = accounts[.citizenA]!.options
        let application = try await p.eservices.applyForDomicile(InfoRequests.domicile(attachments: [try await p.uploadScan(citizenA)]), options: citizenA)
        let integration = try await p.integrationKey(department: "DAD", admin: admin).options
        let revenue = try await p.integrationKey(department: "BOR", admin: admin).options
        _ = try await p.integration.pushRevenueCase(.with { r in
            r.revenueCase = .with { k in
                k.caseNumber = caseNumber; k.title = "Khan vs Khan"; k.court = "Assistant Commissioner, Peshawar"; k.districtCode = "PSH"; k.status = .instituted
            }
        }, options: revenue)
        let guide = try await p.info.getGuide(.with { $0.code = "domicile-certificate" })
        return InfoMatrixFixture(portal: p, accounts: accounts, integrationOptions: integration, announcement: announcement, poll: poll,
                                 internship: internship, application: application, guide: guide, later: later)
    }

    func options(_ caller: InfoCaller) -> RPCCallOptions {
        caller == .integration ? integrationOptions : accounts[caller]?.options ?? RPCCallOptions()
    }

    /// Whether an announcement or poll scope reaches what the caller may read.
    func reaches(_ caller: InfoCaller, _ scope: String) -> Bool {
        let directory = portal.app.core.directory
        switch caller {
        case .citizenA: return directory.contains(scope, "PSH")
        case .citizenMardan: return directory.contains(scope, "MRD")
        case .dcOwn: return directory.contains(scope, "PSH") || directory.contains("PSH", scope)
        case .dcOther: return directory.contains(scope, "MRD") || directory.contains("MRD", scope)
        case .commissioner: return directory.contains(scope, "DIV-PSH") || directory.contains("DIV-PSH", scope)
        case .chiefSecretary, .admin: return true
        default: return false
        }
    }

    /// A new domicile application of citizen A in PSH.
    func freshApplication() async throws -> String {
        try await setup("apply") {
            let a = accounts[.citizenA]!.options
            return try await portal.eservices.applyForDomicile(InfoRequests.domicile(attachments: [try await portal.uploadScan(a)]), options: a).trackingNumber
        }
    }

    func run(_ row: InfoMatrixRow, as caller: InfoCaller) async -> Outcome {
        let recorder = RecordingTransport(portal.client)
        let cell = InfoCell(fx: self, caller: caller, recorder: recorder)
        let outcome: Outcome
        do {
            try await withTimeout(.seconds(60), "\(row.method.method) as \(caller)") { try await row.perform(cell) }
            outcome = .ok
        } catch let e as RPCError {
            outcome = .status(e.code)
        } catch let e as Cell.Leak {
            outcome = .broken("returned what it must not: \(e.what)")
        } catch {
            outcome = .broken("\(error)")
        }
        if case .broken = outcome { return outcome }
        if recorder.paths != [row.method.path] { return .broken("the row called \(recorder.paths), not \(row.method.path)") }
        return outcome
    }
}

struct SharedInfoMatrixPortal: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withPortal { portal in
            let fixture = try await InfoMatrixFixture.make(portal)
            try await InfoMatrixFixture.$current.withValue(fixture) { try await function() }
        }
    }
}

extension Trait where Self == SharedInfoMatrixPortal {
    static var sharedInfoMatrixPortal: Self { Self() }
}
