import PortalRPC
import Synchronization

/// One request slot's next request: when it is meant to be sent and whether it counts.
struct Ticket {
    var intended: UInt64
    var measured: Bool
    /// Open loop: when a slot took it, it was already due (no slot had been free in time).
    var claimedAt: UInt64 = 0
}

/// Hands out requests to the worker slots, closed or open loop, and decides when the run is
/// over. Open loop: request i is meant to be sent at t0 + i/R whatever happened before it; a
/// slot that takes it late sends it late (and its latency still runs from the intended time).
final class Schedule: Sendable {
    let openLoop: Bool
    let t0: UInt64
    let measureStart: UInt64
    /// Monotonic ns after which nothing new is sent (.max: only `limit` ends the run).
    let end: UInt64
    let intervalNanos: Double
    /// Open loop: total tickets (warm-up ones included); closed loop: measured calls.
    let limit: Int?
    let maxLagNanos: UInt64?
    /// Open loop: index of the first measured ticket.
    let firstMeasuredTicket: Int

    private let counter = Atomic<Int>(0)
    private let stopFlag = Atomic<Bool>(false)
    private let stoppedAt = Atomic<UInt64>(UInt64.max)
    /// Measured requests dropped for being more than `maxLagNanos` behind.
    let droppedForLag = Atomic<Int>(0)

    init(options: LoadOptions, t0: UInt64) {
        self.t0 = t0
        openLoop = options.isOpenLoop
        let start = t0 + UInt64(options.warmup * 1e9)
        measureStart = start
        end = options.duration.map { start + UInt64($0 * 1e9) } ?? .max
        intervalNanos = options.rate.map { 1e9 / $0 } ?? 0
        maxLagNanos = options.maxLag.map { UInt64($0 * 1e9) }
        var first = 0
        if let rate = options.rate, options.warmup > 0 {
            first = max(0, Int((options.warmup * rate).rounded(.up)) - 1)
            while t0 + UInt64(Double(first) * (1e9 / rate)) < t0 + UInt64(options.warmup * 1e9) { first += 1 }
        }
        firstMeasuredTicket = first
        if let n = options.requests {
            limit = options.isOpenLoop ? first + n : n
        } else {
            limit = nil
        }
    }

    func intended(_ i: Int) -> UInt64 { t0 + UInt64(Double(i) * intervalNanos) }

    var isStopped: Bool { stopFlag.load(ordering: .relaxed) }

    /// Ends the run early (Ctrl-C): nothing new is sent.
    func stop() {
        if !stopFlag.exchange(true, ordering: .relaxed) {
            stoppedAt.store(monotonicNanos(), ordering: .relaxed)
        }
    }

    /// When sending stopped: the planned end or the early stop.
    var effectiveEnd: UInt64 { min(end, stoppedAt.load(ordering: .relaxed)) }

    func next() -> Ticket? {
        if openLoop {
            while true {
                if isStopped { return nil }
                let i = counter.wrappingAdd(1, ordering: .relaxed).oldValue
                if let limit, i >= limit { return nil }
                let intended = intended(i)
                if intended >= end { return nil }
                let now = monotonicNanos()
                if now >= end { return nil }
                if let maxLag = maxLagNanos, now > intended, now - intended > maxLag {
                    if i >= firstMeasuredTicket { droppedForLag.wrappingAdd(1, ordering: .relaxed) }
                    continue
                }
                return Ticket(intended: intended, measured: i >= firstMeasuredTicket, claimedAt: now)
            }
        }
        if isStopped { return nil }
        let now = monotonicNanos()
        if now >= end { return nil }
        if now < measureStart { return Ticket(intended: now, measured: false) }
        if let limit, counter.wrappingAdd(1, ordering: .relaxed).oldValue >= limit { return nil }
        return Ticket(intended: now, measured: true)
    }

    /// Open loop: measured requests whose intended time fell before the end of sending.
    var scheduledMeasured: Int {
        guard openLoop else { return 0 }
        let stop = effectiveEnd
        var upper: Int
        if stop == .max {
            upper = limit ?? 0
        } else {
            upper = Int((Double(stop - t0) / intervalNanos).rounded(.up))
            while upper > 0 && intended(upper - 1) >= stop { upper -= 1 }
            while intended(upper) < stop { upper += 1 }
            if let limit { upper = min(upper, limit) }
        }
        return max(0, upper - firstMeasuredTicket)
    }
}

/// Calls in flight.
final class Gauge: Sendable {
    let value = Atomic<Int>(0)
}

/// Successful filings per citizen, for what the update watchers are due.
final class FilingCounter: Sendable {
    private let counts: Mutex<[Int]>
    init(citizens: Int) { counts = Mutex([Int](repeating: 0, count: citizens)) }
    func add(_ citizen: Int) { counts.withLock { $0[citizen] += 1 } }
    var snapshot: [Int] { counts.withLock { $0 } }
}

/// The first message seen for each failing status, for the report.
final class ErrorSamples: Sendable {
    private let samples = Mutex<[Int: String]>([:])
    func note(_ slot: Int, _ error: any Error) {
        samples.withLock { s in
            if s[slot] == nil { s[slot] = String(String(describing: error).prefix(200)) }
        }
    }
    var all: [Int: String] { samples.withLock { $0 } }
}

/// The watch streams' tallies.
final class WatchBoard: Sendable {
    struct State {
        var kinds: [WatchKind] = []
        var received: [UInt64] = []
        var opened: [Bool] = []
        var failed: [Bool] = []
        var errors = [UInt64](repeating: 0, count: Outcome.slots)
        var endedEarly = 0
    }
    let state: Mutex<State>
    let messages = Atomic<UInt64>(0)
    let stopping = Atomic<Bool>(false)

    init(kinds: [WatchKind]) {
        state = Mutex(State(kinds: kinds, received: .init(repeating: 0, count: kinds.count),
                            opened: .init(repeating: false, count: kinds.count), failed: .init(repeating: false, count: kinds.count)))
    }

    func opened(_ i: Int) { state.withLock { $0.opened[i] = true } }
    func received(_ i: Int) {
        state.withLock { $0.received[i] += 1 }
        messages.wrappingAdd(1, ordering: .relaxed)
    }
    func ended(_ i: Int, error: (any Error)?) {
        guard !stopping.load(ordering: .relaxed) else { return }
        state.withLock { s in
            s.failed[i] = true
            if let error { s.errors[Outcome.slot(of: error)] += 1 } else { s.endedEarly += 1 }
        }
    }
    var snapshot: State { state.withLock { $0 } }
}

/// Runs one load test: connections, seeding, watchers, the load, the report.
public final class LoadRunner: Sendable {
    public let options: LoadOptions
    public let target: TargetResolution.Resolved
    let log: @Sendable (String) -> Void
    let progress: @Sendable (String) -> Void
    private let stopRequested = Atomic<Bool>(false)
    private let schedule = Mutex<Schedule?>(nil)

    /// `log` gets setup messages, `progress` the per-second lines.
    public init(options: LoadOptions, target: TargetResolution.Resolved,
                log: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.target = target
        self.log = log
        self.progress = progress
    }

    /// Stops sending (Ctrl-C); the run then drains and reports.
    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
        schedule.withLock { $0 }?.stop()
    }

    public func run() async throws -> LoadReport {
        let address = SocketAddress(host: target.host, port: target.port)
        let o = options
        var clientConfig = ClientConfiguration()
        clientConfig.connectTimeout = .seconds(5)
        let clients = try (0..<o.connections).map { _ in try RPCClient(target: address, configuration: clientConfig) }
        let watchConnections = o.watchers == 0 ? 0 : (o.watchers + 511) / 512
        let watchClients = try (0..<watchConnections).map { _ in try RPCClient(target: address, configuration: clientConfig) }
        defer {
            for c in clients { c.close() }
            for c in watchClients { c.close() }
        }

        // Reachable? Every load connection is made before the clock starts.
        let probe = RPCCallOptions(timeout: .seconds(10))
        do {
            let h = try await Grpc_Health_V1_Health_Client(transport: clients[0]).check(.init(), options: probe)
            log("portal-load: \(address) is \(h.status == .serving ? "SERVING" : "health status \(h.status)")")
        } catch {
            throw SeedError("cannot reach a portal server at \(address): \(error)")
        }

        // Seed.
        let seed = try await Seeder(options: o, client: clients[0], log: log).run()
        if o.needsCitizens || o.needsOfficer {
            log("seed: done in \(Fmt.fixed(seed.seconds, 2)) s (run tag \(seed.runTag))")
        }

        for c in clients.dropFirst() {
            _ = try? await Grpc_Health_V1_Health_Client(transport: c).check(.init(), options: probe)
        }

        // Watchers, opened and held before the load starts.
        let kinds: [WatchKind] = (0..<o.watchers).map { i in
            switch o.watchKind {
            case .both: return i % 2 == 0 ? .updates : .queue
            default: return o.watchKind
            }
        }
        // Update watchers take the citizens in turn.
        var watchedCitizen = [Int](repeating: -1, count: kinds.count)
        var nextCitizen = 0
        for (i, kind) in kinds.enumerated() where kind == .updates {
            watchedCitizen[i] = nextCitizen % max(1, seed.citizens.count)
            nextCitizen += 1
        }
        let targets = watchedCitizen
        let board = WatchBoard(kinds: kinds)
        let watchTask = Task { [seed] in
            await withTaskGroup(of: Void.self) { group in
                for (i, kind) in kinds.enumerated() {
                    let client = watchClients[i % max(1, watchClients.count)]
                    group.addTask { await Self.watch(i, kind: kind, citizen: targets[i], client: client, seed: seed, board: board) }
                }
            }
        }
        if o.watchers > 0 {
            let deadline = monotonicNanos() + 15_000_000_000
            while monotonicNanos() < deadline {
                let s = board.snapshot
                if zip(s.opened, s.failed).allSatisfy({ $0 || $1 }) { break }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            let s = board.snapshot
            log("watchers: \(s.opened.filter { $0 }.count) of \(o.watchers) streams open on \(watchConnections) connection(s)"
                + " (\(kinds.filter { $0 == .updates }.count) WatchUpdates, \(kinds.filter { $0 == .queue }.count) WatchQueue)")
            // Let the streams settle on the server before the clock starts.
            try? await Task.sleep(nanoseconds: 300_000_000)
        }

        // The load.
        let t0 = monotonicNanos() + 20_000_000
        let sched = Schedule(options: o, t0: t0)
        schedule.withLock { $0 = sched }
        if stopRequested.load(ordering: .relaxed) { sched.stop() }
        let shards = (0..<min(8, o.connections)).map { _ in StatsShard() }
        let inflight = Gauge()
        let filings = FilingCounter(citizens: seed.citizens.count)
        let errorSamples = ErrorSamples()
        let cpuStart = processCPUNanos()
        let serverStart = o.serverPID.flatMap { ProcessSample.take(pid: $0) }

        let describe = o.isOpenLoop
            ? "open loop at \(Fmt.fixed(o.rate!, o.rate! < 10 ? 1 : 0)) req/s (≤ \(o.connections * o.inflight) in flight)"
            : "closed loop"
        let bound = [o.duration.map { "\(Fmt.fixed($0, $0 == $0.rounded() ? 0 : 1)) s" }, o.requests.map { "\($0) requests" }]
            .compactMap { $0 }.joined(separator: " or ")
        log("load: \(describe), \(o.connections) connections × \(o.inflight) in flight, mix \(o.mix), \(bound)"
            + (o.warmup > 0 ? " after \(Fmt.fixed(o.warmup, 1)) s warm-up" : ""))

        let reporter = Task {
            await self.report(every: t0, schedule: sched, shards: shards, inflight: inflight, board: board)
        }

        let context = WorkerContext(options: o, seed: seed, filings: filings, errors: errorSamples)
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<(o.connections * o.inflight) {
                let c = w / o.inflight
                let apis = APIs(client: clients[c])
                let shard = shards[c % shards.count]
                let baseSeed = o.seed ?? randomSeed()
                group.addTask {
                    await Self.work(w, apis: apis, shard: shard, schedule: sched, context: context, inflight: inflight,
                                    seed: baseSeed &+ UInt64(w) &* 0x9E37_79B9_7F4A_7C15)
                }
            }
        }
        let sendingEnded = monotonicNanos()
        let cpuEnd = processCPUNanos()
        let serverEnd = o.serverPID.flatMap { ProcessSample.take(pid: $0) }
        reporter.cancel()
        let intervals = await reporter.value

        // Watchers: give the last messages a moment, then close the streams.
        var expected = [UInt64](repeating: 0, count: o.watchers)
        if o.watchers > 0 {
            let filed = filings.snapshot
            let totalFiled = UInt64(filed.reduce(0, +))
            for (i, kind) in kinds.enumerated() {
                expected[i] = kind == .updates ? UInt64(filed[targets[i]]) : totalFiled
            }
            let deadline = monotonicNanos() + 3_000_000_000
            while monotonicNanos() < deadline {
                let s = board.snapshot
                if (0..<o.watchers).allSatisfy({ s.received[$0] >= expected[$0] || s.failed[$0] }) { break }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        board.stopping.store(true, ordering: .relaxed)
        watchTask.cancel()
        await watchTask.value

        var totals = Totals()
        for s in shards { totals.merge(s.totals()) }
        let lastCompletion = totals.lastCompletion > 0 ? totals.lastCompletion : sendingEnded
        let elapsed = Double(max(lastCompletion, sched.measureStart + 1) - sched.measureStart) / 1e9
        let wall = Double(sendingEnded - t0) / 1e9
        var report = LoadReport(options: o, target: target, seed: seed, totals: totals, elapsedSeconds: elapsed,
                                intervals: intervals, errorSamples: errorSamples.all)
        report.stoppedEarly = sched.isStopped
        report.clientCPUCores = wall > 0 ? Double(cpuEnd - cpuStart) / 1e9 / wall : 0
        if o.isOpenLoop {
            let scheduled = sched.scheduledMeasured
            let dropped = sched.droppedForLag.load(ordering: .relaxed)
            report.openLoop = .init(rate: o.rate!, scheduled: scheduled, sent: Int(totals.sent), late: Int(totals.late),
                                    waitedForSlot: Int(totals.waitedForSlot),
                                    lateThresholdMicros: UInt64(o.lateMillis * 1000), droppedForLag: dropped,
                                    unsent: max(0, scheduled - Int(totals.sent) - dropped), sendLag: totals.sendLag)
        }
        if o.watchers > 0 {
            let s = board.snapshot
            report.watchers = .init(kinds: kinds, received: s.received, expected: expected, opened: s.opened.filter { $0 }.count,
                                    errors: s.errors, endedEarly: s.endedEarly, connections: watchConnections)
        }
        if let pid = o.serverPID, let a = serverStart, let b = serverEnd {
            let peak = intervals.compactMap { $0.server?.rssBytes }.max() ?? b.rssBytes
            report.server = .init(pid: pid, cpuCores: wall > 0 ? Double(b.cpuNanos - a.cpuNanos) / 1e9 / wall : 0,
                                  rssStart: a.rssBytes, rssEnd: b.rssBytes, rssPeakSampled: max(peak, b.rssBytes), hwm: b.hwmBytes,
                                  threadsStart: a.threads, threadsEnd: b.threads, fdsStart: a.fds, fdsEnd: b.fds)
        }
        return report
    }

    // MARK: Workers

    struct APIs: Sendable {
        let citizen: Portal_V1_CitizenService_Client<RPCClient>
        let officer: Portal_V1_OfficerService_Client<RPCClient>
        let health: Grpc_Health_V1_Health_Client<RPCClient>
        init(client: RPCClient) {
            citizen = .init(transport: client)
            officer = .init(transport: client)
            health = .init(transport: client)
        }
    }

    struct WorkerContext: Sendable {
        let mix: Mix
        let citizens: [SeededCitizen]
        let citizenOptions: [RPCCallOptions]
        let officerOptions: RPCCallOptions
        let plainOptions: RPCCallOptions
        let category: String
        let tag: String
        let pageSize: UInt32
        let openLoop: Bool
        let lateNanos: UInt64
        let filings: FilingCounter
        let errors: ErrorSamples

        init(options o: LoadOptions, seed: Seed, filings: FilingCounter, errors: ErrorSamples) {
            let timeout = Duration.nanoseconds(Int64(o.timeout * 1e9))
            mix = o.mix
            citizens = seed.citizens
            citizenOptions = seed.citizens.map { Seeder.auth($0.token, timeout: timeout) }
            officerOptions = Seeder.auth(seed.officer?.token ?? "", timeout: timeout)
            plainOptions = RPCCallOptions(timeout: timeout)
            category = seed.categoryCode
            tag = seed.runTag
            pageSize = UInt32(o.pageSize)
            openLoop = o.isOpenLoop
            lateNanos = UInt64(o.lateMillis * 1e6)
            self.filings = filings
            self.errors = errors
        }
    }

    private static func work(_ w: Int, apis: APIs, shard: StatsShard, schedule: Schedule, context: WorkerContext,
                             inflight: Gauge, seed: UInt64) async {
        var rng = SplitMix64(seed: seed)
        var filed = 0
        while let ticket = schedule.next() {
            if context.openLoop {
                await sleep(untilNanos: ticket.intended)
                if schedule.isStopped { break }
            }
            let op = context.mix.pick(using: &rng)
            let sentAt = monotonicNanos()
            inflight.value.wrappingAdd(1, ordering: .relaxed)
            let outcome = await perform(op, w: w, apis: apis, context: context, rng: &rng, filed: &filed)
            inflight.value.wrappingSubtract(1, ordering: .relaxed)
            let done = monotonicNanos()
            if context.openLoop {
                let lag = sentAt > ticket.intended ? sentAt - ticket.intended : 0
                // Late because every slot was busy at the intended time (the server, or the
                // slot cap, did not keep up), or because this client woke up late.
                let waitedForSlot = ticket.claimedAt > ticket.intended + context.lateNanos
                shard.record(op, outcome: outcome, latencyNanos: done - ticket.intended, lagNanos: lag,
                             late: lag > context.lateNanos, waitedForSlot: waitedForSlot, measured: ticket.measured, at: done)
            } else {
                shard.record(op, outcome: outcome, latencyNanos: done - sentAt, lagNanos: nil, late: false,
                             waitedForSlot: false, measured: ticket.measured, at: done)
            }
        }
    }

    /// One call; returns its outcome slot (0 = OK).
    private static func perform(_ op: Operation, w: Int, apis: APIs, context: WorkerContext,
                                rng: inout SplitMix64, filed: inout Int) async -> Int {
        do {
            switch op {
            case .file:
                let who = Int(rng.next() % UInt64(context.citizens.count))
                var f = Portal_V1_FileComplaintRequest()
                f.idempotencyKey = "load-\(context.tag)-\(w)-\(filed)"
                filed += 1
                f.categoryCode = context.category
                f.description_p = Seeder.description
                _ = try await apis.citizen.fileComplaint(f, options: context.citizenOptions[who])
                context.filings.add(who)
            case .get:
                let who = Int(rng.next() % UInt64(context.citizens.count))
                let codes = context.citizens[who].complaintCodes
                var g = Portal_V1_GetComplaintRequest()
                g.code = codes[Int(rng.next() % UInt64(codes.count))]
                _ = try await apis.citizen.getComplaint(g, options: context.citizenOptions[who])
            case .list:
                let who = Int(rng.next() % UInt64(context.citizens.count))
                var l = Portal_V1_ListMyComplaintsRequest()
                var page = Portal_V1_PageRequest()
                page.pageSize = context.pageSize
                l.page = page
                _ = try await apis.citizen.listMyComplaints(l, options: context.citizenOptions[who])
            case .dashboard:
                _ = try await apis.officer.getDashboard(.init(), options: context.officerOptions)
            case .health:
                _ = try await apis.health.check(.init(), options: context.plainOptions)
            }
            return 0
        } catch {
            let slot = Outcome.slot(of: error)
            context.errors.note(slot, error)
            return slot
        }
    }

    // MARK: Watchers

    private static func watch(_ i: Int, kind: WatchKind, citizen index: Int, client: RPCClient, seed: Seed, board: WatchBoard) async {
        do {
            switch kind {
            case .updates, .both:
                let citizen = seed.citizens[index]
                let auth = Seeder.auth(citizen.token, timeout: nil)
                let api = Portal_V1_CitizenService_Client(transport: client)
                var list = Portal_V1_ListMessagesRequest()
                list.limit = 1
                let last = try await api.listMessages(list, options: Seeder.auth(citizen.token, timeout: .seconds(30))).lastSequence
                var r = Portal_V1_WatchUpdatesRequest()
                r.afterSequence = last
                let stream = try await api.watchUpdates(r, options: auth)
                board.opened(i)
                for try await _ in stream { board.received(i) }
            case .queue:
                let auth = Seeder.auth(seed.officer?.token ?? "", timeout: nil)
                let stream = try await Portal_V1_OfficerService_Client(transport: client).watchQueue(.init(), options: auth)
                board.opened(i)
                for try await _ in stream { board.received(i) }
            }
            board.ended(i, error: nil)
        } catch {
            board.ended(i, error: error)
        }
    }

    // MARK: Progress

    /// Prints a line every second until cancelled; returns the samples.
    private func report(every t0: UInt64, schedule: Schedule, shards: [StatsShard], inflight: Gauge,
                        board: WatchBoard) async -> [IntervalSample] {
        var samples: [IntervalSample] = []
        var second = 1
        var lastCPU = processCPUNanos()
        var lastTime = monotonicNanos()
        var lastServer = options.serverPID.flatMap { ProcessSample.take(pid: $0) }
        var lastWatch: UInt64 = 0
        var lastDropped = 0
        while true {
            await sleep(untilNanos: t0 + UInt64(second) * 1_000_000_000)
            // Cancelled: the run is over; report its last, partial second if it has anything.
            let partial = Task.isCancelled
            var tally = IntervalTally()
            for s in shards { tally.merge(s.takeInterval()) }
            let now = monotonicNanos()
            let cpu = processCPUNanos()
            let dt = Double(now - lastTime) / 1e9
            let clientCPU = dt > 0 ? Double(cpu - lastCPU) / 1e9 / dt : 0
            lastCPU = cpu
            let watch = board.messages.load(ordering: .relaxed)
            let dropped = schedule.droppedForLag.load(ordering: .relaxed)
            var sample = IntervalSample(second: second, warmup: t0 + UInt64(second) * 1_000_000_000 <= schedule.measureStart,
                                        length: dt, completed: tally.completed, errors: tally.errors,
                                        p50: tally.latency.value(atPercentile: 50), p99: tally.latency.value(atPercentile: 99),
                                        late: tally.late, dropped: UInt64(dropped - lastDropped),
                                        inflight: inflight.value.load(ordering: .relaxed), watchMessages: watch - lastWatch,
                                        clientCPU: clientCPU)
            lastWatch = watch
            lastDropped = dropped
            if let pid = options.serverPID, let s = ProcessSample.take(pid: pid) {
                sample.server = s
                if let l = lastServer, dt > 0 { sample.serverCPU = Double(s.cpuNanos &- l.cpuNanos) / 1e9 / dt }
                lastServer = s
            }
            lastTime = now
            if partial && tally.completed == 0 { break }
            samples.append(sample)
            if !options.quiet { progress(Self.progressLine(sample, tally: tally, openLoop: schedule.openLoop, watchers: options.watchers > 0)) }
            second += 1
            if partial { break }
        }
        return samples
    }

    static func progressLine(_ s: IntervalSample, tally: IntervalTally, openLoop: Bool, watchers: Bool) -> String {
        var line = Fmt.pad("\(s.second)s", 5) + (s.warmup ? "*" : " ")
        let rate = s.length > 0.05 ? Double(s.completed) / s.length : Double(s.completed)
        line += " rps " + Fmt.pad(Fmt.grouped(UInt64(rate.rounded())), 7)
        line += "  err " + Fmt.pad(Fmt.grouped(s.errors), 5)
        line += "  p50 " + Fmt.pad(s.completed > 0 ? Fmt.micros(s.p50) : "-", 7)
        line += "  p99 " + Fmt.pad(s.completed > 0 ? Fmt.micros(s.p99) : "-", 7)
        line += "  inflight " + Fmt.pad(String(s.inflight), 4)
        if openLoop {
            line += "  late " + Fmt.pad(Fmt.grouped(s.late), 5)
            line += "  dropped " + Fmt.pad(Fmt.grouped(s.dropped), 4)
            line += "  lag-p99 " + Fmt.pad(tally.sendLag.isEmpty ? "-" : Fmt.micros(tally.sendLag.value(atPercentile: 99)), 7)
        }
        if watchers { line += "  watch-msgs " + Fmt.pad(Fmt.grouped(s.watchMessages), 5) }
        line += "  cli-cpu " + Fmt.fixed(s.clientCPU, 2)
        if let srv = s.server {
            if let c = s.serverCPU { line += "  srv-cpu " + Fmt.fixed(c, 2) }
            line += "  srv-rss " + Fmt.bytes(srv.rssBytes)
        }
        return line
    }
}

/// A thread-safe counter (signals in `main`).
public final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    /// Adds one; returns the new value.
    public func increment() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue }
}
