import Foundation
import PortalRPC
@testable import PortalServices
import Synchronization
import Testing

typealias CitizenClient = Portal_V1_CitizenService_Client<RPCClient>
typealias OfficerClient = Portal_V1_OfficerService_Client<RPCClient>
typealias AdminClient = Portal_V1_AdminService_Client<RPCClient>

/// A whole portal on a free loopback port: a fresh data folder, the bundled KP seed, an
/// adjustable clock, the default SMS outbox, and one client connection. The escalation
/// scheduler is off; tests move the clock and call `app.escalator.scan()`.
final class TestPortal: Sendable {
    let app: PortalApp
    let server: RPCServer
    let client: RPCClient
    let clock: AdjustableClock
    let dataDirectory: String
    static let adminPassword = "Bootstrap-Admin-2026"

    var citizen: CitizenClient { CitizenClient(transport: client) }
    var officer: OfficerClient { OfficerClient(transport: client) }
    var admin: AdminClient { AdminClient(transport: client) }

    private init(app: PortalApp, server: RPCServer, client: RPCClient, clock: AdjustableClock, dataDirectory: String) {
        self.app = app; self.server = server; self.client = client; self.clock = clock; self.dataDirectory = dataDirectory
    }

    /// `logger` receives the server's and the services' lines (nil: no logging); `sms` replaces
    /// the outbox file in the data folder.
    static func start(configure: (inout PortalConfiguration) -> Void = { _ in }, logger: Logger? = nil,
                      sms: (any SMSGateway)? = nil) async throws -> TestPortal {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("portal-test-\(UUID().uuidString)").path
        var configuration = PortalConfiguration()
        configuration.dataDirectory = dir
        configuration.bootstrapAdminPassword = adminPassword
        configuration.store.readers = 2
        configuration.devMode = true  // AdminService.AdvanceClock works on the adjustable clock
        configure(&configuration)
        let clock = AdjustableClock()
        let app = try await PortalApp(configuration: configuration, clock: clock, sms: sms, runEscalation: false, logger: logger)
        var router = RPCRouter()
        app.registerServices(with: &router)
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.port = 0
        serverConfiguration.eventLoops = 1
        let server = try RPCServer(configuration: serverConfiguration, router: router, logger: logger)
        try server.start()
        let client = try RPCClient(target: server.localAddress)
        return TestPortal(app: app, server: server, client: client, clock: clock, dataDirectory: dir)
    }

    func stop() async {
        client.close()
        await server.shutdown(grace: .seconds(2))
        await app.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Waits until `count` queue watches are registered on the server (at most 30 s). A queue
    /// watch does not replay: an event published before the server registered the watch (its
    /// handler runs on the cooperative pool, a unary FileComplaint on the event loop, so under
    /// load the filing can overtake it) is never delivered.
    func queueWatchers(reach count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while app.core.hub.queueWatcherCount < count {
            guard ContinuousClock.now < deadline else { throw TestTimeout(what: "\(count) queue watches not registered within 30 s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The latest verification code the outbox holds for `mobile` (+923XXXXXXXXX).
    func smsCode(for mobile: String) throws -> String {
        let text = try String(contentsOfFile: dataDirectory + "/sms-outbox.log", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").last { $0.split(separator: "\t").dropFirst().first.map(String.init) == mobile })
        let digits = line.split(separator: "\t").last!.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") && $0.dropLast().allSatisfy(\.isNumber) }
        return String(try #require(digits).dropLast())
    }

    static func auth(_ token: String) -> RPCCallOptions {
        RPCCallOptions(metadata: ["authorization": "Bearer \(token)"])
    }

    // MARK: accounts

    struct SignedIn: Sendable {
        var id: String
        var token: String
        var options: RPCCallOptions { TestPortal.auth(token) }
    }

    private let counter = Counter()

    /// Registers, verifies by the SMS code and signs in a citizen with unique CNIC and mobile.
    func newCitizen(district: String = "PSH", name: String = "Ayesha Khan") async throws -> SignedIn {
        let n = counter.next()
        let cnic = "17301-\(String(format: "%07d", 1_000_000 + n))-\(n % 10)"
        let mobile = "0300\(String(format: "%07d", 1_000_000 + n))"
        var r = Portal_V1_RegisterRequest()
        r.name = name; r.cnic = cnic; r.mobile = mobile; r.districtCode = district; r.password = "Swat-valley-\(n)x"
        let registered = try await citizen.register(r)
        var v = Portal_V1_VerifyMobileRequest()
        v.citizenId = registered.citizenId
        v.code = try smsCode(for: "+92" + mobile.dropFirst())
        _ = try await citizen.verifyMobile(v)
        var login = Portal_V1_CitizenLoginRequest()
        login.identity = .cnic(cnic)
        login.password = r.password
        let session = try await citizen.login(login)
        return SignedIn(id: registered.citizenId, token: session.token)
    }

    func adminSession() async throws -> SignedIn {
        var r = Portal_V1_StaffLoginRequest()
        r.username = "admin"; r.password = Self.adminPassword
        let s = try await officer.login(r)
        return SignedIn(id: s.subjectId, token: s.token)
    }

    /// Creates a staff account through the admin service and signs it in.
    func newStaff(_ role: Portal_V1_Role, _ jurisdiction: String, department: String = "") async throws -> SignedIn {
        let admin = try await adminSession()
        let n = counter.next()
        var r = Portal_V1_CreateStaffRequest()
        r.username = "staff\(n)"; r.name = "Officer \(["Ali", "Bilal", "Sana", "Zainab", "Imran"][n % 5])"
        r.role = role; r.jurisdictionCode = jurisdiction; r.departmentCode = department
        let created = try await self.admin.createStaff(r, options: admin.options)
        var login = Portal_V1_StaffLoginRequest()
        login.username = r.username; login.password = created.oneTimePassword
        let s = try await officer.login(login)
        return SignedIn(id: created.staff!.id, token: s.token)
    }

    func fileComplaint(_ who: SignedIn, category: String = "water-supply", district: String = "",
                       description: String = "No water supply in our street for five days.") async throws -> Portal_V1_Complaint {
        var f = Portal_V1_FileComplaintRequest()
        f.idempotencyKey = "key-\(UUID().uuidString)"
        f.categoryCode = category
        f.description_p = description
        f.districtCode = district
        return try await citizen.fileComplaint(f, options: who.options)
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// Runs `body` against a fresh portal and always stops it.
func withPortal<T>(configure: (inout PortalConfiguration) -> Void = { _ in }, logger: Logger? = nil,
                   sms: (any SMSGateway)? = nil,
                   _ body: (TestPortal) async throws -> T) async throws -> T {
    let portal = try await TestPortal.start(configure: configure, logger: logger, sms: sms)
    do {
        let result = try await body(portal)
        await portal.stop()
        return result
    } catch {
        await portal.stop()
        throw error
    }
}

/// The status code a call fails with (or nil when it succeeds).
func statusOf(_ call: () async throws -> some Any) async -> Status.Code? {
    do {
        _ = try await call()
        return nil
    } catch let e as RPCError {
        return e.code
    } catch {
        Issue.record("unexpected error \(error)")
        return .unknown
    }
}

/// The RPCError a call fails with.
func rpcError(_ call: () async throws -> some Any) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch let e as RPCError {
        return e
    } catch {
        return nil
    }
}

extension ProtoMessage {
    /// A message built in one expression: `.with { $0.code = "PSH-2026-000001" }`.
    static func with(_ build: (inout Self) -> Void) -> Self {
        var m = Self()
        build(&m)
        return m
    }
}
