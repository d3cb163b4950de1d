#if canImport(Glibc)
import Glibc
#endif
import PortalRPC
import PortalServices
import PortalStore

/// `portal-bench dashboard --data DIR [--port P] [--calls 50] [--warmup 3] [--period-days 30]`
///
/// OfficerService.GetDashboard over the socket for six cases: all-time and the last
/// `--period-days` days, each as the DC of PSH (district), the Commissioner of DIV-PSH
/// (division) and the Chief Secretary (province). The cases are interleaved call by call
/// (one call in flight), so drift and other users' load hit all of them alike. One RESULT line
/// per case: p50 / p99 / max in milliseconds, from the client's send to the decoded response.
func dashboardBench(_ options: Options) async throws {
    let data = options.dataDirectory
    let accounts = BenchAccounts.load(data)
    let target = try await Target.open(options)
    let client = try target.client()
    let calls = options.int("calls", 50), warmup = options.int("warmup", 3)
    let periodDays = Int64(options.int("period-days", 30))
    let officer = OfficerClient(transport: client)
    let now = unixMillis()

    struct Case { var name: String; var token: String; var request: Portal_V1_GetDashboardRequest; var lat = Latencies(); var total: UInt64 = 0; var bytes = 0 }
    var cases: [Case] = []
    for (key, tier) in [("dc", "district"), ("commissioner", "division"), ("cs", "province")] {
        let token = try await staffLogin(client, username: accounts["\(key)_username"], password: accounts["\(key)_password"])
        var all = Portal_V1_GetDashboardRequest()
        all.scopeCode = accounts["\(key)_scope"]
        var period = all
        period.periodStart = timestamp(millis: now - periodDays * 86_400_000)
        period.periodEnd = timestamp(millis: now + 3_600_000)
        cases.append(Case(name: "\(tier)-all", token: token, request: all))
        cases.append(Case(name: "\(tier)-\(periodDays)d", token: token, request: period))
    }
    say("dashboard: \(target.mode), \(calls) calls per case after \(warmup) warm-up, interleaved; load \(loadAverage())")
    for round in 0..<(warmup + calls) {
        for i in cases.indices {
            let t0 = nowNanos()
            let d = try await officer.getDashboard(cases[i].request, options: bearer(cases[i].token))
            let t1 = nowNanos()
            if round >= warmup {
                cases[i].lat.add(t1 - t0)
                cases[i].total = d.complaints?.total ?? 0
                cases[i].bytes = d.serializedBytes().count
            }
        }
    }
    for c in cases {
        let s = c.lat.summary()
        say("RESULT bench=dashboard case=\(c.name) calls=\(c.lat.samples.count) p50_ms=\(fmt(s.p50, 2)) p99_ms=\(fmt(s.p99, 2)) max_ms=\(fmt(s.max, 2)) mean_ms=\(fmt(s.mean, 2)) complaints=\(c.total) response_bytes=\(c.bytes)")
    }
    client.close()
    await target.stop()
}

func timestamp(millis: Int64) -> Google_Protobuf_Timestamp {
    var t = Google_Protobuf_Timestamp()
    t.seconds = millis / 1000
    t.nanos = Int32(millis % 1000) * 1_000_000
    return t
}

/// `portal-bench get --data DIR [--port P] [--calls 20000] [--warmup 2000] [--callers 4] [--connections 1] [--codes 10000]`
///
/// OfficerService.GetComplaint as the Chief Secretary for complaint codes drawn at random from
/// the store, `--callers` calls in flight (closed loop) over `--connections` connections.
/// Latency per call from send to decoded response; p50 / p99 / p99.9 / max over `--calls`.
func getBench(_ options: Options) async throws {
    let data = options.dataDirectory
    let accounts = BenchAccounts.load(data)
    let codes = try sampleCodes(data: data, count: options.int("codes", 10_000), seed: UInt64(options.int("seed", 7)))
    let target = try await Target.open(options)
    let connections = max(1, options.int("connections", 1))
    let clients = try (0..<connections).map { _ in try target.client() }
    let token = try await staffLogin(clients[0], username: accounts["cs_username"], password: accounts["cs_password"])
    let callers = max(1, options.int("callers", 4))
    let calls = options.int("calls", 20_000), warmup = options.int("warmup", 2_000)
    say("get: \(target.mode), \(codes.count) codes, \(callers) callers over \(connections) connection(s), \(warmup) warm-up + \(calls) calls; load \(loadAverage())")

    let issued = Counter()
    let opts = bearer(token)
    func run(_ total: Int) async throws -> (Latencies, Int, UInt64, UInt64) {
        let base = issued.next()
        let t0 = nowNanos()
        let lat = try await withThrowingTaskGroup(of: (Latencies, Int).self) { group in
            for w in 0..<callers {
                let officer = OfficerClient(transport: clients[w % clients.count])
                group.addTask {
                    var lat = Latencies()
                    var rng = SplitMix(seed: UInt64(base * 1000 + w))
                    var errors = 0
                    for _ in 0..<(total / callers) {
                        var r = Portal_V1_OfficerGetComplaintRequest()
                        r.code = codes[rng.below(codes.count)]
                        let t = nowNanos()
                        do {
                            let v = try await officer.getComplaint(r, options: opts)
                            if v.complaint?.code != r.code { errors += 1 }
                        } catch {
                            errors += 1
                        }
                        lat.add(nowNanos() - t)
                    }
                    return (lat, errors)
                }
            }
            var all = Latencies(), errors = 0
            for try await (l, e) in group { all.merge(l); errors += e }
            return (all, errors)
        }
        return (lat.0, lat.1, t0, nowNanos())
    }
    _ = try await run(warmup)
    let probe = ServerProbe(target, options)
    let before = probe.sample()
    let (lat, errors, t0, t1) = try await run(calls)
    let srv = await probe.fields(start: before, windowStart: t0, windowEnd: t1)
    let s = lat.summary()
    let secs = Double(t1 - t0) / 1e9
    say("RESULT bench=get calls=\(lat.samples.count) callers=\(callers) rps=\(fmt(Double(lat.samples.count) / secs, 0)) p50_ms=\(fmt(s.p50, 3)) p99_ms=\(fmt(s.p99, 3)) p999_ms=\(fmt(s.p999, 3)) max_ms=\(fmt(s.max, 3)) errors=\(errors) \(srv)")
    for c in clients { c.close() }
    await target.stop()
}

/// Existing complaint codes, drawn uniformly by id (read-only connection, beside any server).
func sampleCodes(data: String, count: Int, seed: UInt64) throws -> [String] {
    let db = try Database.reader(path: data + "/portal.sqlite")
    defer { db.close() }
    let maxID = (try db.queryOne("SELECT max(id) FROM complaints") { $0.int(0) }) ?? 0
    guard maxID > 0 else { fail("the store has no complaints") }
    var rng = SplitMix(seed: seed)
    var codes: [String] = []
    codes.reserveCapacity(count)
    while codes.count < count {
        let id = Int64(rng.below(Int(maxID))) + 1
        if let code = try db.queryOne("SELECT code FROM complaints WHERE id = ?", [id], { $0.text(0) }) { codes.append(code) }
    }
    return codes
}
