#if canImport(Glibc)
import Glibc
#endif
import PortalRPC
import PortalServices
import PortalStore

/// `portal-bench generate --data DIR [--complaints N] [--citizens N] [--days D] [--seed S]`
///
/// 1. Starts PortalApp once (migrations, KP seed, bootstrap admin with a known password) and,
///    over the protocol: signs in as the admin, creates a DC of PSH, a Commissioner of DIV-PSH
///    and the Chief Secretary (AdminService.CreateStaff), and registers, verifies (SMS code
///    from the outbox) and signs in one template citizen. Its yescrypt hash becomes every
///    generated citizen's hash, so all of them can sign in through the normal Login.
/// 2. Stops the portal and bulk-inserts through PortalStore's `Database`, in transactions of
///    20,000 complaints: citizens, department officers, complaints, assignees, timeline events,
///    feedback and the citizens' messages. The statistics triggers stay in place and see the
///    same kinds of changes the services make: a citizen is inserted unverified and then
///    verified, a resolved complaint is inserted open and then gets its `resolved_at` (and a
///    reopened one loses it and gets it again), feedback rows are inserted. So the counters are
///    whatever the schema's own triggers make of the data, with no copy of their SQL here,
///    except the four tables the services count new complaints into (`ComplaintCounters`,
///    migration 0008): those are recounted from the rows at the end
///    (`StatisticsAudit.recountComplaintCounters`).
///    `complaint_codes` gets the last serial of every (district, year), and the complaints
///    are escalated exactly as the policy would have, so the portal carries on consistently.
func generate(_ options: Options) async throws {
    let data = options.dataDirectory
    let complaintCount = options.int("complaints", 1_000_000)
    let citizenCount = options.int("citizens", 200_000)
    let days = options.int("days", 400)
    let seed = UInt64(options.int("seed", 2026))
    if fileExists(data + "/portal.sqlite") { fail("\(data)/portal.sqlite exists; generate into a new directory") }
    let started = nowNanos()
    say("generate: \(complaintCount) complaints, \(citizenCount) citizens, \(days) days, seed \(seed), load \(loadAverage())")

    // Phase 1: a real portal makes the schema, the seed, the staff and the template citizen.
    let portal = try await LocalPortal.start(data: data, options: options)
    let client = try RPCClient(target: SocketAddress(host: "127.0.0.1", port: portal.port))
    let adminToken = try await staffLogin(client, username: PortalApp.bootstrapAdminUsername, password: BenchCredentials.adminPassword)
    var accounts = BenchAccounts()
    for (key, role, jurisdiction, name) in [
        ("dc", Portal_V1_Role.deputyCommissioner, "PSH", "Deputy Commissioner Peshawar"),
        ("commissioner", .commissioner, "DIV-PSH", "Commissioner Peshawar Division"),
        ("cs", .chiefSecretary, "KP", "Chief Secretary Khyber Pakhtunkhwa"),
    ] {
        var r = Portal_V1_CreateStaffRequest()
        r.username = "bench-\(key)"
        r.name = name
        r.role = role
        r.jurisdictionCode = jurisdiction
        let created = try await AdminClient(transport: client).createStaff(r, options: bearer(adminToken))
        accounts.values["\(key)_username"] = r.username
        accounts.values["\(key)_password"] = created.oneTimePassword
        accounts.values["\(key)_scope"] = jurisdiction
    }
    let templateCNIC = "3520212345671", templateMobile = "+923009876543"
    var reg = Portal_V1_RegisterRequest()
    reg.name = "Template Citizen"
    reg.cnic = templateCNIC
    reg.mobile = templateMobile
    reg.districtCode = "PSH"
    reg.password = BenchCredentials.citizenPassword
    let registered = try await CitizenClient(transport: client).register(reg)
    var verify = Portal_V1_VerifyMobileRequest()
    verify.citizenId = registered.citizenId
    verify.code = try smsCode(data: data, mobile: templateMobile)
    _ = try await CitizenClient(transport: client).verifyMobile(verify)
    _ = try await citizenLogin(client, cnic: templateCNIC, password: BenchCredentials.citizenPassword)
    let hash = try await portal.app.core.store.read { db in
        try db.queryOne("SELECT password_hash FROM citizens WHERE cnic = ?", [templateCNIC]) { $0.text(0) }
    }!
    let snapshot = portal.app.core.directory.snapshot
    client.close()
    await portal.stop()
    let phase1 = nowNanos()
    say("phase 1 (portal start, staff, template citizen over the protocol): \(fmt(Double(phase1 - started) / 1e9, 1)) s")

    // Phase 2: bulk load.
    var g = Generator(snapshot: snapshot, seed: seed, passwordHash: hash, now: unixMillis(), days: days)
    let db = try Database.writer(path: data + "/portal.sqlite", synchronous: .off)
    try db.execute("PRAGMA cache_size = -1048576; PRAGMA foreign_keys = OFF")

    let firstCitizen = (try db.queryOne("SELECT coalesce(max(id), 0) + 1 FROM citizens") { $0.int(0) })!
    try g.insertCitizens(db, count: citizenCount, firstID: firstCitizen)
    try g.insertOfficers(db)
    let phase2a = nowNanos()
    say("citizens + officers: \(fmt(Double(phase2a - phase1) / 1e9, 1)) s")
    try g.insertComplaints(db, count: complaintCount)
    let phase2b = nowNanos()
    say("complaints, assignees, events, feedback, messages: \(fmt(Double(phase2b - phase2a) / 1e9, 1)) s")

    // Consistency: serials and message sequence numbers.
    try db.transaction {
        for (key, last) in g.serials {
            let parts = key.split(separator: " ")
            let district = String(parts[0]), year = Int(parts[1])!
            try db.run("INSERT INTO complaint_codes (district_code, year, last) VALUES (?, ?, ?) ON CONFLICT (district_code, year) DO UPDATE SET last = max(last, excluded.last)",
                       district, Int64(year), last)
        }
        try db.run("UPDATE citizens SET last_message_seq = coalesce((SELECT max(seq) FROM messages m WHERE m.citizen_id = citizens.id), 0) WHERE id >= ?", firstCitizen)
        // New complaints are counted by the services (ComplaintCounters), not by an insert
        // trigger: recount the tables they keep from the rows inserted here.
        try StatisticsAudit.recountComplaintCounters(db)
    }
    _ = try db.textValueIgnoringErrors("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    let finished = nowNanos()
    say("codes, message sequence numbers, checkpoint: \(fmt(Double(finished - phase2b) / 1e9, 1)) s")

    accounts.values["citizen_first_id"] = String(firstCitizen)
    accounts.values["citizen_count"] = String(citizenCount)
    accounts.values["template_cnic"] = templateCNIC
    accounts.values["generated_complaints"] = String(complaintCount)
    accounts.values["generated_at_ms"] = String(g.now)
    accounts.save(data)
    say(g.summary)
    var st = stat()
    stat(data + "/portal.sqlite", &st)
    say("GENERATED seconds=\(fmt(Double(finished - started) / 1e9, 1)) complaints=\(complaintCount) citizens=\(citizenCount) db_mib=\(st.st_size / 1_048_576)")
}

/// The verification code the outbox holds for `mobile` (lines `<ms>\t<+92...>\t<text>`).
func smsCode(data: String, mobile: String) throws -> String {
    guard let text = readTextFile(data + "/sms-outbox.log") else { fail("no sms-outbox.log in \(data)") }
    guard let line = text.split(separator: "\n").last(where: { $0.split(separator: "\t").dropFirst().first.map(String.init) == mobile }) else {
        fail("no SMS to \(mobile) in the outbox")
    }
    let words = line.split(separator: "\t").last!.split(separator: " ")
    guard let code = words.first(where: { $0.count == 7 && $0.hasSuffix(".") && $0.dropLast().allSatisfy(\.isNumber) }) else {
        fail("no code in the SMS to \(mobile)")
    }
    return String(code.dropLast())
}

extension Database {
    func textValueIgnoringErrors(_ sql: String) throws -> String? {
        try queryOne(sql) { $0.optionalText(0) } ?? nil
    }
}

/// `portal-bench check --data DIR`: the trigger-kept counters against fresh GROUP BYs, and
/// SQLite's integrity and foreign-key checks (slow on a large store: `--quick` skips those).
func check(_ options: Options) throws {
    let db = try Database(path: options.dataDirectory + "/portal.sqlite", mode: .readOnly)
    let t0 = nowNanos()
    // Every trigger-kept counter table against its recount (PortalServices' StatisticsAudit).
    let audit = try StatisticsAudit.mismatches(db)
    say("statistics mismatches: " + audit.map { "\($0.table)=\($0.rows)" }.joined(separator: " "))
    var ok = audit.allSatisfy { $0.rows == 0 }
    if !options.flag("quick") {
        let integrity = try db.query("PRAGMA quick_check") { $0.text(0) }
        let fk = try db.query("PRAGMA foreign_key_check") { $0.text(0) }
        say("quick_check: \(integrity.prefix(3)); foreign_key_check violations: \(fk.count)")
        ok = ok && integrity == ["ok"] && fk.isEmpty
    }
    let counts = try db.query("SELECT (SELECT count(*) FROM complaints), (SELECT count(*) FROM citizens), (SELECT count(*) FROM complaint_events)") {
        ($0.int(0), $0.int(1), $0.int(2))
    }[0]
    say("complaints=\(counts.0) citizens=\(counts.1) events=\(counts.2) (\(fmt(Double(nowNanos() - t0) / 1e9, 1)) s)")
    say(ok ? "CHECK ok" : "CHECK FAILED")
    if !ok { exit(1) }
}

/// The data set's shape. Deterministic for a seed; every choice is documented in
/// docs/PERFORMANCE-PORTAL.md ("The data set").
struct Generator {
    let now: Int64
    let start: Int64
    var rng: SplitMix
    let passwordHash: String

    let districts: [Portal_V1_Jurisdiction]
    let districtPicker: WeightedPicker
    let categories: [Portal_V1_Category]
    let categoryPicker: WeightedPicker
    let districtIndex: [String: Int]

    var citizenDistrict: [UInt8] = []
    var citizenCreated: [Int64] = []
    var citizenName: [String] = []
    /// The last message sequence number of each generated citizen.
    var messageSeq: [Int32] = []
    var firstCitizenID: Int64 = 0
    /// Officers by district index: (staff id, department code, name).
    var officers: [[(Int64, String, String)]] = []
    var serials: [String: Int64] = [:]  // "district year" -> last serial

    // Tallies for the summary.
    var statusCounts = [Int](repeating: 0, count: 8)
    var events = 0, feedbackRows = 0, assigneeRows = 0, messageRows = 0, reopened = 0, escalated = 0
    var pshComplaints = 0, last30Days = 0

    static let day: Int64 = 86_400_000
    static let hour: Int64 = 3_600_000

    /// Roughly the 2017 census population of each district in millions (Peshawar weighted
    /// up for its urban share of complaints); unknown codes get 0.5.
    static let districtWeights: [String: Double] = [
        "PSH": 6.5, "CSD": 1.6, "NSR": 1.5, "KHY": 1.0, "MMD": 0.5, "MRD": 2.4, "SWB": 1.6, "ABT": 1.3, "HRP": 1.0,
        "MSH": 1.8, "BTG": 0.3, "TGR": 0.2, "UKH": 0.4, "LKH": 0.2, "KPL": 0.15, "SWT": 2.3, "UDR": 0.9, "LDR": 1.4,
        "CDR": 0.4, "UCH": 0.2, "LCH": 0.3, "BNR": 0.9, "SHG": 0.8, "MLK": 0.7, "BJR": 1.1, "KHT": 1.0, "HNG": 0.5,
        "KRK": 0.7, "KRM": 0.6, "OKZ": 0.25, "BNU": 1.2, "LKM": 0.9, "NWZ": 0.5, "DIK": 1.6, "TNK": 0.4, "USW": 0.25,
        "LSW": 0.4,
    ]

    init(snapshot: Directory.Snapshot, seed: UInt64, passwordHash: String, now: Int64, days: Int) {
        self.now = now
        self.start = now - Int64(days) * Self.day
        self.rng = SplitMix(seed: seed)
        self.passwordHash = passwordHash
        districts = snapshot.jurisdictions.values.filter { $0.tier == .district }.sorted { $0.code < $1.code }
        districtPicker = WeightedPicker(districts.map { Self.districtWeights[$0.code] ?? 0.5 })
        districtIndex = Dictionary(uniqueKeysWithValues: districts.enumerated().map { ($1.code, $0) })
        categories = snapshot.categories.values.filter(\.active).sorted { $0.code < $1.code }
        // Zipf-like: the k-th category (in a fixed shuffled order) has weight 1 / k^0.8.
        var order = Array(categories.indices)
        var shuffler = SplitMix(seed: seed ^ 0xC0FFEE)
        order.shuffle(using: &shuffler)
        var weights = [Double](repeating: 0, count: categories.count)
        for (rank, i) in order.enumerated() { weights[i] = 1 / pow(Double(rank + 1), 0.8) }
        categoryPicker = WeightedPicker(weights)
    }

    static let firstNames = ["Muhammad", "Ayesha", "Imran", "Sana", "Bilal", "Zainab", "Fawad", "Nadia", "Hamza", "Maryam",
                             "Usman", "Khadija", "Asad", "Hina", "Shahid", "Rabia", "Tariq", "Saima", "Junaid", "Farah",
                             "Adnan", "Sadia", "Kamran", "Amna", "Waqas", "Iqra", "Naveed", "Bushra", "Zubair", "Lubna"]
    static let lastNames = ["Khan", "Afridi", "Yousafzai", "Khattak", "Shinwari", "Mohmand", "Bangash", "Orakzai", "Durrani",
                            "Swati", "Tanoli", "Jadoon", "Marwat", "Gandapur", "Kundi", "Wazir", "Mehsud", "Achakzai",
                            "Qureshi", "Shah", "Abbasi", "Awan", "Tareen", "Niazi", "Bhittani"]
    static let complaintTexts = [
        "No water supply in our street for the last %d days; the tube well motor is out of order and nobody has come to repair it.",
        "The sewerage line near the mosque is blocked and dirty water has been standing in the street for %d days, children fall ill.",
        "Garbage has not been collected from our mohalla for %d days. The heap near the school is a health hazard.",
        "Street lights on the main road have been off for %d nights, the road is unsafe for women and children after maghrib.",
        "Shopkeepers have encroached on the footpath and half the road; traffic is blocked every evening for %d weeks now.",
        "The link road is broken with deep potholes; after the rain of %d days ago it cannot be used by rickshaws at all.",
        "Load shedding of more than %d hours a day in our village although the feeder was declared loss-free.",
        "The BHU has had no doctor for %d days and medicines listed on the board are not available to patients.",
        "The girls primary school has no teacher for class %d and the washrooms have been locked since the start of term.",
        "Flour of the subsidised scheme is sold above the notified rate; the dealer charged %d rupees more per bag.",
    ]
    static let addresses = ["Main Bazaar", "Gulbahar Colony", "University Town", "Hayatabad Phase %d", "Saddar Road",
                            "Village Shah Alam, Street %d", "Mohallah Jangi", "GT Road near Chowk", "Sector %d, Township",
                            "Near Government High School No. %d"]

    func format(_ template: String, _ n: Int) -> String {
        template.replacing("%d", with: String(n), maxReplacements: 1)
    }

    // MARK: citizens and officers

    mutating func insertCitizens(_ db: Database, count: Int, firstID: Int64) throws {
        firstCitizenID = firstID
        citizenDistrict.reserveCapacity(count)
        citizenCreated.reserveCapacity(count)
        // 60 % registered in the 200 days before the complaint window, 40 % during it; ids in
        // order of registration.
        var created = (0..<count).map { _ in
            rng.chance(0.6) ? start - 200 * Self.day + Int64(rng.unit() * Double(200 * Self.day))
                            : start + Int64(rng.unit() * Double(now - start - Self.hour))
        }
        created.sort()
        var i = 0
        while i < count {
            let end = min(count, i + 50_000)
            try db.transaction {
                for k in i..<end {
                    let d = districtPicker.pick(&rng)
                    let created = created[k]
                    let name = Self.firstNames[rng.below(Self.firstNames.count)] + " " + Self.lastNames[rng.below(Self.lastNames.count)]
                    citizenDistrict.append(UInt8(d))
                    citizenCreated.append(created)
                    citizenName.append(name)
                    messageSeq.append(0)
                    try db.run("INSERT INTO citizens (id, name, cnic, mobile, email, district_code, password_hash, verified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
                               bindings: [firstID + Int64(k), name, GeneratedCitizen.cnic(k), GeneratedCitizen.mobile(k),
                                          rng.chance(0.2) ? "citizen\(k)@example.pk" : "", districts[d].code, passwordHash, created])
                    // Verified as VerifyMobile does it (the citizen_stats trigger counts it); the
                    // first 1,000 always, as the write benchmarks sign some of them in.
                    if k < 1000 || rng.chance(0.97) {
                        try db.run("UPDATE citizens SET verified = 1 WHERE id = ?", firstID + Int64(k))
                    }
                }
            }
            i = end
        }
    }

    /// Department officers: in every district one per department of the eight busiest
    /// departments (two in Peshawar), created as if a DC had added them.
    mutating func insertOfficers(_ db: Database) throws {
        var departmentWeight: [String: Double] = [:]
        for (i, c) in categories.enumerated() {
            departmentWeight[c.departmentCode, default: 0] += categoryPicker.cumulative[i] - (i > 0 ? categoryPicker.cumulative[i - 1] : 0)
        }
        let busiest = departmentWeight.sorted { $0.value > $1.value }.prefix(8).map(\.key)
        officers = Array(repeating: [], count: districts.count)
        try db.transaction {
            for (di, d) in districts.enumerated() {
                for dep in busiest {
                    for n in 0..<(d.code == "PSH" ? 2 : 1) {
                        let name = "Officer " + Self.firstNames[rng.below(Self.firstNames.count)] + " " + Self.lastNames[rng.below(Self.lastNames.count)]
                        try db.run("INSERT INTO staff (username, name, role, jurisdiction_code, department_code, designation, password_hash, created_at) VALUES (?, ?, 2, ?, ?, ?, ?, ?)",
                                   bindings: ["officer-\(d.code.lowercased())-\(dep.lowercased().filter(\.isLetter))-\(n + 1)", name, d.code, dep,
                                              "Assistant Director \(dep)", passwordHash, start - 30 * Self.day])
                        officers[di].append((db.lastInsertRowID, dep, name))
                    }
                }
            }
        }
    }

    // MARK: complaints

    mutating func normal() -> Double {
        let u1 = max(rng.unit(), 1e-12), u2 = rng.unit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }

    /// Hours from the clock start to a resolution: log-normal, median 60 h.
    mutating func resolutionHours() -> Double {
        exp(log(60) + 1.1 * normal())
    }

    static func year(_ ms: Int64) -> Int {
        var t = time_t(ms / 1000)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return Int(tmv.tm_year) + 1900
    }

    /// The tier the escalation policy (15 / 22 days) gives a complaint whose clock started at
    /// `clock` and which is still open at `at`.
    static func tier(clock: Int64, at: Int64) -> Int64 {
        at - clock >= 22 * day ? 3 : at - clock >= 15 * day ? 2 : 1
    }

    mutating func insertComplaints(_ db: Database, count: Int) throws {
        // When each complaint is filed and by whom, then everything in filing order (ids and
        // per-district serials grow with time, as they do in the portal).
        var specs: [(at: Int64, citizen: Int32)] = []
        specs.reserveCapacity(count)
        for _ in 0..<count {
            // Half uniform over the window, half growing towards now (the portal gets busier).
            let u = rng.chance(0.5) ? rng.unit() : sqrt(rng.unit())
            let at = start + Int64(u * Double(now - 60_000 - start))
            // A citizen registered by then (citizens are in order of registration); 30 % of
            // complaints come from the earliest tenth of them, the most active.
            var lo = 0, hi = citizenCreated.count
            while lo < hi { let mid = (lo + hi) / 2; if citizenCreated[mid] <= at { lo = mid + 1 } else { hi = mid } }
            let eligible = max(1, lo)
            let c = rng.chance(0.3) ? rng.below(max(1, eligible / 10)) : rng.below(eligible)
            specs.append((at, Int32(c)))
        }
        specs.sort { $0.at < $1.at }

        var next = 0
        var id: Int64 = (try db.queryOne("SELECT coalesce(max(id), 0) FROM complaints") { $0.int(0) })!
        while next < specs.count {
            let end = min(specs.count, next + 20_000)
            try db.transaction {
                for k in next..<end {
                    id += 1
                    try insertComplaint(db, id: id, filedAt: specs[k].at, citizen: Int(specs[k].citizen))
                }
            }
            next = end
        }
    }

    mutating func insertComplaint(_ db: Database, id: Int64, filedAt: Int64, citizen: Int) throws {
        let citizenID = firstCitizenID + Int64(citizen)
        let di = rng.chance(0.88) ? Int(citizenDistrict[citizen]) : districtPicker.pick(&rng)
        let district = districts[di]
        let category = categories[categoryPicker.pick(&rng)]
        let year = Self.year(filedAt)
        let serialKey = "\(district.code) \(year)"
        let serial = (serials[serialKey] ?? 0) + 1
        serials[serialKey] = serial
        let digits = String(serial)
        let code = "\(district.code)-\(year)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
        let citizenName = citizenName[citizen]
        let dcName = "Deputy Commissioner \(district.name)"
        if district.code == "PSH" { pshComplaints += 1 }
        if filedAt >= now - 30 * Self.day { last30Days += 1 }

        var events: [(at: Int64, role: Int64, actor: String, kind: Int64, value: Int64?, text: String?)] = []
        events.append((filedAt, 1, citizenName, 1, 1, nil))

        // The complaint's life up to now.
        let ageHours = Double(now - filedAt) / Double(Self.hour)
        var status: Int64
        var clock = filedAt
        var resolvedAt: Int64?
        var resolutions: [Int64] = []  // every resolution, in order (a reopened one has two)
        var reopenCount: Int64 = 0
        var tier: Int64 = 1
        var feedback: [(at: Int64, satisfied: Bool, time: Int64, quality: Int64)] = []
        var assignedAt: Int64?
        var officerIDs: [Int64] = []
        var updated = filedAt

        func assign(_ g: inout Generator, at: Int64) {
            let pool = g.officers[di]
            let matching = pool.filter { $0.1 == category.departmentCode }
            let first = (matching.isEmpty ? pool : matching)[g.rng.below(matching.isEmpty ? pool.count : matching.count)].0
            officerIDs = [first]
            if g.rng.chance(0.15), let other = pool.filter({ $0.0 != first }).randomElement(using: &g.rng) { officerIDs.append(other.0) }
            assignedAt = at
            events.append((at, 3, dcName, 3, nil, officerIDs.map(String.init).joined(separator: ",")))
        }

        let pDone = 0.62 * (1 - exp(-ageHours / 24 / 6))
        if rng.chance(pDone) {
            // Resolved; maybe reopened (unsatisfied) and resolved again, or still reopened.
            assign(&self, at: filedAt + Int64(rng.unit() * Double(min(48, ageHours / 4)) * Double(Self.hour)))
            var resolution = filedAt + Int64(min(resolutionHours(), ageHours * 0.9) * Double(Self.hour))
            resolution = max(resolution, assignedAt! + 1)
            status = 4
            tier = Self.tier(clock: clock, at: resolution)
            if tier > 1 { escalated += 1; events.append((clock + 15 * Self.day, 0, "Citizen Portal", 4, 2, nil)) }
            if tier > 2 { events.append((clock + 22 * Self.day, 0, "Citizen Portal", 4, 3, nil)) }
            events.append((resolution, 2, "Officer", 1, 4, nil))
            resolvedAt = resolution
            resolutions = [resolution]
            if rng.chance(0.06) {
                let reopenAt = resolution + Int64((1 + rng.unit() * 72) * Double(Self.hour))
                if reopenAt < now {
                    reopened += 1
                    reopenCount = 1
                    feedback.append((reopenAt, false, Int64(1 + rng.below(2)), Int64(1 + rng.below(2))))
                    events.append((reopenAt, 1, citizenName, 6, nil, "0|1|1|The problem is still there."))
                    events.append((reopenAt, 1, citizenName, 1, 6, nil))
                    clock = reopenAt
                    tier = 1
                    resolvedAt = nil
                    status = 6
                    let again = reopenAt + Int64(resolutionHours() * Double(Self.hour))
                    if again < now {
                        status = 4
                        resolvedAt = again
                        resolutions.append(again)
                        tier = Self.tier(clock: clock, at: again)
                        events.append((again, 2, "Officer", 1, 4, nil))
                    } else {
                        tier = Self.tier(clock: clock, at: now)
                    }
                }
            }
            if status == 4, let resolved = resolvedAt {
                let givenAt = resolved + Int64((2 + rng.unit() * 118) * Double(Self.hour))
                if rng.chance(0.55) && givenAt < now {
                    let satisfied = rng.chance(0.72)
                    let rating: Int64 = satisfied ? Int64(3 + rng.below(3)) : Int64(1 + rng.below(3))
                    feedback.append((givenAt, satisfied, rating, max(1, min(5, rating + Int64(rng.below(3)) - 1))))
                    events.append((givenAt, 1, citizenName, 6, nil, "\(satisfied ? 1 : 0)|\(rating)|\(rating)|"))
                    status = 5
                } else if now - resolved > 7 * Self.day {
                    status = 5  // the feedback window passed
                    events.append((resolved + 7 * Self.day, 0, "Citizen Portal", 1, 5, nil))
                }
            }
        } else {
            // Still open.
            let x = rng.unit()
            if ageHours < 6 || x < 0.22 {
                status = 1
            } else if x < 0.80 {
                status = 2
            } else if x < 0.90 {
                status = 3
            } else {
                status = 7
            }
            if status != 1 {
                assign(&self, at: filedAt + Int64(rng.unit() * min(48, ageHours / 2) * Double(Self.hour)))
                if status == 3 { events.append((assignedAt! + Self.hour, 2, "Officer", 1, 3, nil)) }
                if status == 7 { events.append((assignedAt! + Self.hour, 3, dcName, 1, 7, nil)) }
            }
            if status != 7 {
                tier = Self.tier(clock: clock, at: now)
                if tier > 1 { escalated += 1; events.append((clock + 15 * Self.day, 0, "Citizen Portal", 4, 2, nil)) }
                if tier > 2 { events.append((clock + 22 * Self.day, 0, "Citizen Portal", 4, 3, nil)) }
            }
        }
        statusCounts[Int(status)] += 1
        for e in events { updated = max(updated, e.at) }

        let located = rng.chance(0.7)
        let key = "gen-\(id)-\(rng.next() % 1_000_000)"
        let description = format(Self.complaintTexts[rng.below(Self.complaintTexts.count)], 2 + rng.below(20))
        let latitude: Double? = located ? 31.0 + rng.unit() * 5 : nil
        let longitude: Double? = located ? 69.5 + rng.unit() * 4.5 : nil
        let accuracy: Double? = located ? 5 + rng.unit() * 45 : nil
        let address = format(Self.addresses[rng.below(Self.addresses.count)], 1 + rng.below(12))
        let noResolution: Int64? = nil
        try db.run("""
            INSERT INTO complaints (id, code, citizen_id, idempotency_key, category_code, department_code, description,
                district_code, division_code, latitude, longitude, accuracy_m, address, status, tier, reopen_count,
                filed_at, clock_started_at, updated_at, resolved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, bindings: [
                id, code, citizenID, key, category.code, category.departmentCode, description,
                district.code, district.parentCode, latitude, longitude, accuracy, address,
                status, tier, reopenCount, filedAt, clock, updated, noResolution,
            ])
        // Resolutions as ComplaintWorkflow.resolve and a reopening record them (the
        // resolution_hours trigger fires on resolved_at going from NULL to a time).
        for (i, at) in resolutions.enumerated() {
            if i > 0 { try db.run("UPDATE complaints SET resolved_at = NULL WHERE id = ?", id) }
            try db.run("UPDATE complaints SET resolved_at = ? WHERE id = ?", at, id)
        }
        if resolvedAt == nil && !resolutions.isEmpty {  // reopened and still open
            try db.run("UPDATE complaints SET resolved_at = NULL WHERE id = ?", id)
        }
        for staff in officerIDs {
            try db.run("INSERT INTO complaint_assignees (complaint_id, staff_id, assigned_at, resolved_at) VALUES (?, ?, ?, ?)",
                       bindings: [id, staff, assignedAt!, resolvedAt])
            assigneeRows += 1
        }
        for e in events.sorted(by: { $0.at < $1.at }) {
            try db.run("INSERT INTO complaint_events (complaint_id, at, actor_role, actor_name, kind, value, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       bindings: [id, e.at, e.role, e.actor, e.kind, e.value, e.text])
        }
        self.events += events.count
        for f in feedback {
            try db.run("INSERT INTO feedback (complaint_id, satisfied, time_rating, quality_rating, comment, given_at) VALUES (?, ?, ?, ?, ?, ?)",
                       bindings: [id, f.satisfied, f.time, f.quality, f.satisfied ? "" : "Not satisfied.", f.at])
            feedbackRows += 1
        }
        // The citizen's messages: filed, and resolved when it was.
        var messages: [(Int64, Int64, String)] = [(filedAt, 1, "Your complaint \(code) was registered and sent to the Deputy Commissioner, \(district.name).")]
        if let r = resolvedAt { messages.append((r, 4, "Your complaint \(code) was resolved. Please tell us if you are satisfied.")) }
        for (at, kind, text) in messages {
            messageSeq[citizen] += 1
            let seq = Int64(messageSeq[citizen])
            try db.run("INSERT INTO messages (citizen_id, seq, kind, reference_code, text, at, read) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       bindings: [citizenID, seq, kind, code, text, at, at < now - 3 * Self.day])
            messageRows += 1
        }
    }

    var summary: String {
        let names = ["", "new", "assigned", "info_requested", "resolved", "closed", "reopened", "systemic"]
        let total = statusCounts.reduce(0, +)
        let byStatus = (1...7).map { "\(names[$0])=\(statusCounts[$0])" }.joined(separator: " ")
        let done = statusCounts[4] + statusCounts[5]
        return """
            statuses: \(byStatus) (resolved+closed \(fmt(Double(done) * 100 / Double(max(1, total)), 1)) %)
            events=\(events) (\(fmt(Double(events) / Double(max(1, total)), 2)) per complaint) assignees=\(assigneeRows) feedback=\(feedbackRows) messages=\(messageRows) reopened=\(reopened) escalated=\(escalated)
            PSH complaints=\(pshComplaints); filed in the last 30 days=\(last30Days); officers=\(officers.reduce(0) { $0 + $1.count })
            """
    }
}
