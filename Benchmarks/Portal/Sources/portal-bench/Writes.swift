#if canImport(Glibc)
import Glibc
#endif
import PortalRPC
import PortalServices
import PortalStore
import Synchronization

/// The FileComplaint requests every write benchmark sends: a unique idempotency key, a random
/// active category, a 110-160 character description, 70 % with a GPS point, the citizen's own
/// district (the request leaves it empty).
struct ComplaintRequests: Sendable {
    let run: Int64
    let categories: [String]

    static let texts = [
        "The water supply line in our street has been leaking for a week and the road is flooded every morning.",
        "Garbage has not been collected from the market for ten days; the heap is now blocking the drain.",
        "The transformer of our feeder burnt out and the electricity has been off for three days in the whole village.",
        "Street lights on the main road near the girls school are off for two weeks, the road is unsafe at night.",
    ]

    func make(worker: Int, n: Int, rng: inout SplitMix) -> Portal_V1_FileComplaintRequest {
        var r = Portal_V1_FileComplaintRequest()
        r.idempotencyKey = "bench-\(run)-\(worker)-\(n)"
        r.categoryCode = categories[rng.below(categories.count)]
        r.description_p = Self.texts[rng.below(Self.texts.count)] + " Reference \(n)."
        r.address = "House \(1 + rng.below(400)), Street \(1 + rng.below(40))"
        if rng.chance(0.7) {
            var g = Portal_V1_GeoPoint()
            g.latitude = 33.9 + rng.unit() * 0.2
            g.longitude = 71.4 + rng.unit() * 0.2
            g.accuracyM = Float(5 + rng.unit() * 30)
            r.location = g
        }
        return r
    }
}

/// Generated citizens to sign in: `count` distinct ones among the first 1,000, which
/// `generate` always verifies (of the rest, 3 % are unverified and cannot sign in).
func citizenIndexes(_ accounts: BenchAccounts, count: Int) -> [Int] {
    let pool = min(1000, Int(accounts["citizen_count"])!)
    guard count <= pool else { fail("--citizens at most \(pool)") }
    return (0..<count).map { ($0 * 997) % pool }
}

/// Closed-loop results of one writer benchmark.
struct WriteTally: Sendable {
    var acks = 0
    var errors: [String: Int] = [:]
    var lat = Latencies()

    mutating func merge(_ o: WriteTally) {
        acks += o.acks
        lat.merge(o.lat)
        for (k, v) in o.errors { errors[k, default: 0] += v }
    }
}

/// Runs `workers` tasks calling `call(worker, n)` back to back for `warmup + seconds`; counts
/// the calls that complete inside the window after the warm-up.
/// `sampler` is called once at the start of the window (an in-process server's counters).
func closedLoop(workers: Int, warmup: Double, seconds: Double, sampler: @escaping @Sendable () -> ServerSample?,
                _ call: @escaping @Sendable (Int, Int) async throws -> Void) async -> (WriteTally, UInt64, UInt64, ServerSample?) {
    let begin = nowNanos()
    let measureAt = begin + UInt64(warmup * 1e9)
    let end = measureAt + UInt64(seconds * 1e9)
    let box = SampleBox()
    let tally = await withTaskGroup(of: WriteTally.self) { group in
        for w in 0..<workers {
            group.addTask {
                var t = WriteTally()
                var n = 0
                while true {
                    let t0 = nowNanos()
                    if t0 >= end { break }
                    do {
                        try await call(w, n)
                        let t1 = nowNanos()
                        if t1 >= measureAt && t1 < end {
                            t.acks += 1
                            t.lat.add(t1 - t0)
                        }
                    } catch {
                        t.errors["\(error)", default: 0] += 1
                        if t.errors.values.reduce(0, +) > 1000 { break }
                    }
                    n += 1
                }
                return t
            }
        }
        // Sample the server at the start of the window.
        group.addTask {
            let now = nowNanos()
            if measureAt > now { try? await Task.sleep(for: .nanoseconds(Int(measureAt - now))) }
            let sample = sampler()
            box.value.withLock { $0 = sample }
            return WriteTally()
        }
        var all = WriteTally()
        for await t in group { all.merge(t) }
        return all
    }
    return (tally, measureAt, end, box.value.withLock { $0 })
}

final class SampleBox: Sendable {
    let value = Mutex<ServerSample?>(nil)
}

func printWriteResult(_ bench: String, _ extra: String, _ t: WriteTally, seconds: Double, srv: String) {
    let s = t.lat.summary()
    let errors = t.errors.values.reduce(0, +)
    say("RESULT bench=\(bench) \(extra) acks=\(t.acks) acks_s=\(fmt(Double(t.acks) / seconds, 0)) p50_ms=\(fmt(s.p50, 2)) p99_ms=\(fmt(s.p99, 2)) max_ms=\(fmt(s.max, 2)) errors=\(errors) \(srv)")
    for (k, v) in t.errors.sorted(by: { $0.value > $1.value }).prefix(5) { say("ERROR count=\(v) \(k)") }
}

/// `portal-bench file --data DIR [--port P] [--seconds 10] [--warmup 2] [--connections 8] [--inflight 32] [--citizens 64] [--sync normal|full] [--bench-name NAME]`
///
/// Durable FileComplaint over the protocol: `--connections` RPCClients, `--inflight` calls in
/// flight on each (closed loop), as `--citizens` generated citizens signed in through
/// CitizenService.Login. Counts complaints acknowledged (OK responses: committed, per the
/// store's contract) inside the window. `--sync` applies to an in-process server; a `serve`
/// process has its own `--sync`.
func fileBench(_ options: Options) async throws {
    let data = options.dataDirectory
    let accounts = BenchAccounts.load(data)
    let target = try await Target.open(options)
    let connections = max(1, options.int("connections", 8)), inflight = max(1, options.int("inflight", 32))
    let seconds = options.double("seconds", 10), warmup = options.double("warmup", 2)
    let clients = try (0..<connections).map { _ in try target.client() }
    let citizens = citizenIndexes(accounts, count: options.int("citizens", 64))
    let tokens = try await withThrowingTaskGroup(of: (Int, String).self) { group in
        for (i, c) in citizens.enumerated() {
            group.addTask { (i, try await citizenLogin(clients[i % clients.count], cnic: GeneratedCitizen.cnic(c), password: BenchCredentials.citizenPassword)) }
        }
        var t = [String](repeating: "", count: citizens.count)
        for try await (i, tok) in group { t[i] = tok }
        return t
    }
    let categories = try await CitizenClient(transport: clients[0]).listCategories(Portal_V1_ListCategoriesRequest()).categories.map(\.code)
    let requests = ComplaintRequests(run: unixMillis(), categories: categories)
    let stubs = clients.map { CitizenClient(transport: $0) }
    let opts = tokens.map { bearer($0) }
    say("file: \(target.mode), \(connections) connections x \(inflight) in flight, \(citizens.count) citizens, \(warmup) s warm-up + \(seconds) s; load \(loadAverage())")
    let probe = ServerProbe(target, options)
    let (tally, t0, t1, first) = await closedLoop(workers: connections * inflight, warmup: warmup, seconds: seconds,
                                                 sampler: { probe.sample() }) { w, n in
        var rng = SplitMix(seed: UInt64(w) << 32 | UInt64(n))
        let r = requests.make(worker: w, n: n, rng: &rng)
        _ = try await stubs[w % connections].fileComplaint(r, options: opts[w % opts.count])
    }
    let srv = await probe.fields(start: first, windowStart: t0, windowEnd: t1)
    printWriteResult(options.string("bench-name", "file"), "sync=\(options.string("sync", "normal")) conns=\(connections) inflight=\(inflight)", tally, seconds: seconds, srv: srv)
    for c in clients { c.close() }
    await target.stop()
}

/// `portal-bench direct --data DIR [--seconds 10] [--warmup 2] [--inflight 256] [--citizens 64] [--sync normal|full]`
///
/// The same FileComplaint calls made on CitizenServiceHandler in this process, without the
/// protocol (no sockets, no framing, no response encoding): service + store throughput.
func directBench(_ options: Options) async throws {
    let data = options.dataDirectory
    let accounts = BenchAccounts.load(data)
    let portal = try await PortalApp(configuration: LocalPortal.configuration(data: data, options: options), runEscalation: false)
    if options.flag("experiment-checkpointer") { try await startCheckpointer(portal, data: data) }
    let handler = CitizenServiceHandler(core: portal.core)
    func context(_ method: String, token: String?) -> RPCServerContext {
        RPCServerContext(
            method: MethodDescriptor(service: "portal.v1.CitizenService", method: method, kind: .unary,
                                     requestType: "", responseType: ""),
            metadata: token.map { ["authorization": "Bearer \($0)"] } ?? [:], deadline: nil, peer: "127.0.0.1:40000")
    }
    let citizens = citizenIndexes(accounts, count: options.int("citizens", 64))
    var contexts: [RPCServerContext] = []
    for c in citizens {
        var r = Portal_V1_CitizenLoginRequest()
        r.identity = .cnic(GeneratedCitizen.cnic(c))
        r.password = BenchCredentials.citizenPassword
        contexts.append(context("FileComplaint", token: try await handler.login(request: r, context: context("Login", token: nil)).token))
    }
    let categories = portal.core.directory.snapshot.categories.values.filter(\.active).map(\.code).sorted()
    let requests = ComplaintRequests(run: unixMillis(), categories: categories)
    let inflight = max(1, options.int("inflight", 256))
    let seconds = options.double("seconds", 10), warmup = options.double("warmup", 2)
    say("direct: in-process CitizenServiceHandler, \(inflight) in flight, \(citizens.count) citizens, \(warmup) s warm-up + \(seconds) s; load \(loadAverage())")
    let ctx = contexts
    let (tally, _, _, first) = await closedLoop(workers: inflight, warmup: warmup, seconds: seconds,
                                               sampler: { ServerSample.take(portal) }) { w, n in
        var rng = SplitMix(seed: UInt64(w) << 32 | UInt64(n))
        let r = requests.make(worker: w, n: n, rng: &rng)
        _ = try await handler.fileComplaint(request: r, context: ctx[w % ctx.count])
    }
    let end = ServerSample.take(portal)
    var srv = "srv=unknown"
    if let a = first {
        let secs = Double(end.mono - a.mono) / 1e9
        let commits = end.commits - a.commits, writes = end.writes - a.writes
        srv = "srv_commits_s=\(fmt(Double(commits) / secs, 0)) srv_writes_s=\(fmt(Double(writes) / secs, 0)) srv_batch=\(fmt(commits > 0 ? Double(writes) / Double(commits) : 0, 1)) proc_cores=\(fmt((end.cpu - a.cpu) / secs, 2))"
    }
    printWriteResult("direct", "sync=\(options.string("sync", "normal")) inflight=\(inflight)", tally, seconds: seconds, srv: srv)
    await portal.shutdown()
}
