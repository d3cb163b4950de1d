import PortalRPC

/// A citizen the load acts as.
public struct SeededCitizen: Sendable {
    public var id: String
    public var cnic: String
    /// +923XXXXXXXXX
    public var mobile: String
    public var token: String
    /// Complaints filed while seeding: the targets of "get".
    public var complaintCodes: [String]
}

/// The Deputy Commissioner the load acts as for dashboards and queue watchers.
public struct SeededOfficer: Sendable {
    public var id: String
    public var username: String
    public var token: String
}

public struct Seed: Sendable {
    /// A number unique-ish to this run, in usernames, CNICs and idempotency keys.
    public var runTag: String
    public var citizens: [SeededCitizen] = []
    public var officer: SeededOfficer?
    public var categoryCode = ""
    public var seconds: Double = 0
    /// Registrations that collided with an existing CNIC/mobile and were retried.
    public var registrationRetries = 0
}

public struct SeedError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// Seeds through the public API only: Register → VerifyMobile (code from the SMS outbox) →
/// Login → FileComplaint for citizens; admin Login → AdminService.CreateStaff → Login for the
/// Deputy Commissioner. Nothing touches the database.
public struct Seeder: Sendable {
    let options: LoadOptions
    let client: RPCClient
    let log: @Sendable (String) -> Void

    public init(options: LoadOptions, client: RPCClient, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.client = client
        self.log = log
    }

    var citizenAPI: Portal_V1_CitizenService_Client<RPCClient> { .init(transport: client) }
    var officerAPI: Portal_V1_OfficerService_Client<RPCClient> { .init(transport: client) }
    var adminAPI: Portal_V1_AdminService_Client<RPCClient> { .init(transport: client) }
    var callOptions: RPCCallOptions { RPCCallOptions(timeout: .seconds(60)) }

    static func auth(_ token: String, timeout: Duration?) -> RPCCallOptions {
        RPCCallOptions(timeout: timeout, metadata: ["authorization": "Bearer \(token)"])
    }

    public func run() async throws -> Seed {
        let started = monotonicNanos()
        var rng = SplitMix64(seed: randomSeed())
        let tag = String(10_000 + Int(rng.next() % 90_000))
        var seed = Seed(runTag: tag)

        if options.needsCitizens || options.needsOfficer {
            try await checkDistrict()
        }
        if options.needsCitizens {
            seed.categoryCode = try await pickCategory()
            try await seedCitizens(into: &seed, rng: &rng)
        }
        if options.needsOfficer {
            seed.officer = try await seedOfficer(tag: tag)
        }
        seed.seconds = Double(monotonicNanos() - started) / 1e9
        return seed
    }

    // MARK: Reference data

    private func checkDistrict() async throws {
        var r = Portal_V1_ListJurisdictionsRequest()
        r.tier = .district
        let districts = try await step("ListJurisdictions") { try await citizenAPI.listJurisdictions(r, options: callOptions) }
        guard districts.jurisdictions.contains(where: { $0.code == options.district }) else {
            let known = districts.jurisdictions.map(\.code).sorted().prefix(12).joined(separator: ", ")
            throw SeedError("--district \(options.district) is not a district of this server (e.g. \(known))")
        }
    }

    private func pickCategory() async throws -> String {
        let list = try await step("ListCategories") { try await citizenAPI.listCategories(.init(), options: callOptions) }
        let active = list.categories.filter(\.active)
        if let preferred = active.first(where: { $0.code == "water-supply" }) { return preferred.code }
        guard let any = active.first else { throw SeedError("the server has no open complaint category") }
        return any.code
    }

    // MARK: Citizens

    private struct Identity: Sendable {
        var cnic: String
        var national: String   // 3XXXXXXXXX
        var mobileE164: String { "+92" + national }
        var password: String
    }

    /// Run-unique numbers: CNIC 7<tag:5><index:7>, mobile 03<tag:4 of another draw><index:5>;
    /// a collision with an earlier run's account is retried with random numbers.
    private func identity(_ i: Int, cnicTag: Int, mobileTag: Int) -> Identity {
        Identity(cnic: "7" + Self.padded(cnicTag, 5) + Self.padded(i, 7),
                 national: "3" + Self.padded(mobileTag, 4) + Self.padded(i, 5),
                 password: "Load-test-pw-\(cnicTag)q")
    }

    private static func randomIdentity(_ rng: inout SplitMix64) -> Identity {
        let cnic = "8" + padded(Int(rng.next() % 1_000_000_000_000), 12)
        let national = "3" + padded(Int(rng.next() % 1_000_000_000), 9)
        return Identity(cnic: cnic, national: national, password: "Load-test-pw-r\(rng.next() % 1000)q")
    }

    static func padded(_ n: Int, _ width: Int) -> String {
        var s = String(n)
        while s.count < width { s = "0" + s }
        return String(s.suffix(width))
    }

    private func seedCitizens(into seed: inout Seed, rng: inout SplitMix64) async throws {
        guard let data = options.dataDirectory else { throw SeedError("--data is required to seed citizens") }
        guard Files.isDirectory(data) else { throw SeedError("--data \(data): no such directory") }
        let outbox = SMSOutbox(dataDirectory: data)
        if Files.size(outbox.path) != nil && !Files.isReadable(outbox.path) {
            throw SeedError("\(outbox.path) is not readable by this user (the server creates it mode 0600)")
        }
        let offset = outbox.currentSize
        let k = options.citizens
        let cnicTag = Int(rng.next() % 100_000)
        let mobileTag = Int(rng.next() % 10_000)
        let registerSeed = rng.next()

        // 1. Register.
        var t = monotonicNanos()
        let api = citizenAPI
        let district = options.district
        let opts = callOptions
        let registered: [(Identity, String, Int)] = try await concurrently(0..<k, limit: options.seedConcurrency) { i in
            var local = SplitMix64(seed: registerSeed &+ UInt64(i))
            var id = identity(i, cnicTag: cnicTag, mobileTag: mobileTag)
            var retries = 0
            while true {
                var r = Portal_V1_RegisterRequest()
                r.name = "Load Tester"
                r.cnic = id.cnic
                r.mobile = "0" + id.national
                r.districtCode = district
                r.password = id.password
                do {
                    let response = try await api.register(r, options: opts)
                    return (id, response.citizenId, retries)
                } catch let e as RPCError where e.code == .alreadyExists && retries < 5 {
                    retries += 1
                    id = Self.randomIdentity(&local)
                } catch {
                    throw SeedError("Register failed: \(error)")
                }
            }
        }
        seed.registrationRetries = registered.reduce(0) { $0 + $1.2 }
        log("seed: registered \(k) citizens in \(Self.seconds(since: t))")

        // 2. Verify with the codes from the outbox (read once; again while some are missing).
        t = monotonicNanos()
        var codes = outbox.codes(from: offset)
        var waited = 0
        while registered.contains(where: { codes[$0.0.mobileE164] == nil }) {
            guard waited < 50 else {
                let missing = registered.filter { codes[$0.0.mobileE164] == nil }.count
                throw SeedError("""
                    no verification code for \(missing) of \(k) new citizens in \(outbox.path): is --data the folder \
                    of the server at \(options.target)? (a server with a real SMS gateway cannot be seeded this way)
                    """)
            }
            try await Task.sleep(nanoseconds: 100_000_000)
            waited += 1
            codes = outbox.codes(from: offset)
        }
        let verifyInput = registered.map { ($0.1, codes[$0.0.mobileE164]!) }
        _ = try await concurrently(0..<k, limit: options.seedConcurrency) { i in
            var v = Portal_V1_VerifyMobileRequest()
            v.citizenId = verifyInput[i].0
            v.code = verifyInput[i].1
            do { _ = try await api.verifyMobile(v, options: opts) } catch { throw SeedError("VerifyMobile failed: \(error)") }
            return 0
        }
        log("seed: verified \(k) mobiles from \(outbox.path) in \(Self.seconds(since: t))")

        // 3. Sign in.
        t = monotonicNanos()
        let identities = registered.map(\.0)
        let tokens: [String] = try await concurrently(0..<k, limit: options.seedConcurrency) { i in
            var login = Portal_V1_CitizenLoginRequest()
            login.identity = .cnic(identities[i].cnic)
            login.password = identities[i].password
            do { return try await api.login(login, options: opts).token } catch { throw SeedError("citizen Login failed: \(error)") }
        }
        log("seed: signed in \(k) citizens in \(Self.seconds(since: t))")

        // 4. File the complaints "get" reads.
        t = monotonicNanos()
        let c = options.complaintsPerCitizen
        let category = seed.categoryCode
        let tag = seed.runTag
        let codesFiled: [String] = try await concurrently(0..<(k * c), limit: max(options.seedConcurrency, 8)) { n in
            let who = n / c
            var f = Portal_V1_FileComplaintRequest()
            f.idempotencyKey = "seed-\(tag)-\(who)-\(n % c)"
            f.categoryCode = category
            f.description_p = Self.description
            do {
                return try await api.fileComplaint(f, options: Self.auth(tokens[who], timeout: .seconds(60))).code
            } catch {
                throw SeedError("FileComplaint failed: \(error)")
            }
        }
        log("seed: filed \(k * c) complaints (category \(category)) in \(Self.seconds(since: t))")

        seed.citizens = (0..<k).map { i in
            SeededCitizen(id: registered[i].1, cnic: identities[i].cnic, mobile: identities[i].mobileE164, token: tokens[i],
                          complaintCodes: Array(codesFiled[(i * c)..<((i + 1) * c)]))
        }
    }

    static let description = "Load test: the street light near the bazaar has been out for a week."

    // MARK: Deputy Commissioner

    private func seedOfficer(tag: String) async throws -> SeededOfficer {
        guard let password = options.adminPassword else { throw SeedError("the admin password is required for the DC") }
        var login = Portal_V1_StaffLoginRequest()
        login.username = options.adminUser
        login.password = password
        let admin: Portal_V1_Session
        do {
            admin = try await officerAPI.login(login, options: callOptions)
        } catch let e as RPCError where e.code == .unauthenticated {
            throw SeedError("""
                admin sign-in as '\(options.adminUser)' failed (\(e)): wrong --admin-password / PORTAL_ADMIN_PASSWORD? \
                (the server allows 5 failed sign-ins per account per 15 minutes)
                """)
        } catch {
            throw SeedError("admin sign-in failed: \(error)")
        }
        let adminOptions = Self.auth(admin.token, timeout: .seconds(60))
        var create = Portal_V1_CreateStaffRequest()
        create.username = "load.dc.\(tag)"
        create.name = "Load Test Officer"
        create.role = .deputyCommissioner
        create.jurisdictionCode = options.district
        create.designation = "Deputy Commissioner (portal-load)"
        let created: Portal_V1_CreateStaffResponse
        do { created = try await adminAPI.createStaff(create, options: adminOptions) } catch {
            throw SeedError("AdminService.CreateStaff (DC of \(options.district)) failed: \(error)")
        }
        _ = try? await officerAPI.logout(.init(), options: adminOptions)
        var dcLogin = Portal_V1_StaffLoginRequest()
        dcLogin.username = create.username
        dcLogin.password = created.oneTimePassword
        let session: Portal_V1_Session
        do { session = try await officerAPI.login(dcLogin, options: callOptions) } catch {
            throw SeedError("DC sign-in failed: \(error)")
        }
        log("seed: created and signed in Deputy Commissioner \(create.username) (\(options.district))")
        return SeededOfficer(id: created.staff?.id ?? "", username: create.username, token: session.token)
    }

    // MARK: Helpers

    private func step<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw SeedError("\(what) failed: \(error)") }
    }

    static func seconds(since t: UInt64) -> String { Fmt.fixed(Double(monotonicNanos() - t) / 1e9, 2) + " s" }
}

/// Runs `body` for every index with at most `limit` at a time; results in index order.
func concurrently<R: Sendable>(_ range: Range<Int>, limit: Int, _ body: @escaping @Sendable (Int) async throws -> R) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: range.count)
        var next = range.lowerBound
        while next < range.upperBound && next - range.lowerBound < limit {
            let i = next
            group.addTask { (i, try await body(i)) }
            next += 1
        }
        while let (i, r) = try await group.next() {
            results[i - range.lowerBound] = r
            if next < range.upperBound {
                let j = next
                group.addTask { (j, try await body(j)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
