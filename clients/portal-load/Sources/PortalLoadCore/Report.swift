/// The end-of-run report: text for people, JSON for scripts, and the smoke verdict.
public struct LoadReport: Sendable {
    public struct OpenLoop: Sendable {
        public var rate: Double
        /// Measured requests whose intended send time fell inside the run.
        public var scheduled: Int
        /// Of those, sent (and completed, OK or not).
        public var sent: Int
        /// Sent more than the late threshold after their intended time.
        public var late: Int
        /// Of those: every slot was busy at the intended time (the rest: this client woke late).
        public var waitedForSlot: Int
        public var lateThresholdMicros: UInt64
        /// Not sent: more than --max-lag behind when a slot took them.
        public var droppedForLag: Int
        /// Not sent: the run ended before a slot was free for them.
        public var unsent: Int
        /// Intended → actual send time of the sent requests.
        public var sendLag: LatencyHistogram
        public var dropped: Int { droppedForLag + unsent }
        /// The rate was not held: requests were dropped (never sent), or < 99 % of it achieved.
        public func notSustained(achieved: Double) -> Bool { dropped > 0 || achieved < rate * 0.99 }
        /// Held on average, but ≥ 1 % of the requests found every slot busy and waited.
        public var fellBehind: Bool { sent > 0 && Double(waitedForSlot) / Double(sent) >= 0.01 }
    }

    public struct Watchers: Sendable {
        public var kinds: [WatchKind]
        public var received: [UInt64]
        /// Messages each stream was due for this run's successful filings.
        public var expected: [UInt64]
        public var opened: Int
        public var errors: [UInt64]
        public var endedEarly: Int
        public var connections: Int

        func sum(_ kind: WatchKind, _ values: [UInt64]) -> UInt64 {
            zip(kinds, values).filter { $0.0 == kind }.reduce(0) { $0 + $1.1 }
        }
        /// Streams that got fewer messages than they were due.
        public var short: Int { zip(received, expected).filter { $0 < $1 }.count }
        public var missing: UInt64 { zip(received, expected).reduce(0) { $0 + ($1.0 < $1.1 ? $1.1 - $1.0 : 0) } }
        public var errorCount: UInt64 { errors.reduce(0, +) }
    }

    public struct Server: Sendable {
        public var pid: Int32
        public var cpuCores: Double
        public var rssStart: UInt64
        public var rssEnd: UInt64
        public var rssPeakSampled: UInt64
        public var hwm: UInt64
        public var threadsStart: Int
        public var threadsEnd: Int
        public var fdsStart: Int
        public var fdsEnd: Int
    }

    public var options: LoadOptions
    public var target: TargetResolution.Resolved
    public var seed: Seed
    public var totals: Totals
    /// From the start of measurement to the last measured completion.
    public var elapsedSeconds: Double
    public var intervals: [IntervalSample]
    public var errorSamples: [Int: String]
    public var stoppedEarly = false
    public var clientCPUCores: Double = 0
    public var openLoop: OpenLoop?
    public var watchers: Watchers?
    public var server: Server?

    public init(options: LoadOptions, target: TargetResolution.Resolved, seed: Seed, totals: Totals, elapsedSeconds: Double,
                intervals: [IntervalSample], errorSamples: [Int: String]) {
        self.options = options; self.target = target; self.seed = seed; self.totals = totals
        self.elapsedSeconds = elapsedSeconds; self.intervals = intervals; self.errorSamples = errorSamples
    }

    public var all: OpTally { totals.all }
    public var throughput: Double { elapsedSeconds > 0 ? Double(all.calls) / elapsedSeconds : 0 }

    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]

    // MARK: Smoke

    /// Why `--smoke` fails; empty when it passes.
    public var smokeProblems: [String] {
        var problems: [String] = []
        let a = all
        if a.calls == 0 { problems.append("no call completed") }
        if a.errors > 0 { problems.append("\(a.errors) calls failed (\(errorSummary))") }
        for op in options.mix.operations where totals.ops[op.rawValue].ok == 0 {
            problems.append("no successful \(op) call")
        }
        if let w = watchers {
            if w.opened < w.kinds.count { problems.append("only \(w.opened) of \(w.kinds.count) watch streams opened") }
            if w.errorCount > 0 || w.endedEarly > 0 { problems.append("watch streams failed: \(w.errorCount) errors, \(w.endedEarly) ended early") }
            if w.short > 0 { problems.append("\(w.short) watch streams got \(w.missing) fewer messages than due") }
        }
        if let o = openLoop, o.dropped > 0 { problems.append("\(o.dropped) scheduled requests were never sent") }
        return problems
    }

    var errorSummary: String {
        let a = all
        return (1..<Outcome.slots).filter { a.outcomes[$0] > 0 }
            .map { "\(Outcome.name($0)) \(Fmt.grouped(a.outcomes[$0]))" }.joined(separator: ", ")
    }

    // MARK: Text

    public var text: String {
        var out: [String] = []
        let o = options
        let a = all
        let mode = o.isOpenLoop ? "open loop, target \(Fmt.fixed(o.rate!, o.rate! < 10 ? 1 : 0)) req/s" : "closed loop"
        out.append("")
        out.append("== portal-load report: \(target.host):\(target.port), \(mode), \(o.connections) connections × \(o.inflight) in flight")
        out.append("mix           \(o.mix)")
        if !seed.citizens.isEmpty || seed.officer != nil {
            var s = "seeded        \(seed.citizens.count) citizens (\(seed.citizens.count * o.complaintsPerCitizen) complaints, \(o.district))"
            if let dc = seed.officer { s += ", DC \(dc.username)" }
            s += " in \(Fmt.fixed(seed.seconds, 1)) s"
            if seed.registrationRetries > 0 { s += "; \(seed.registrationRetries) registrations retried after a CNIC/mobile collision" }
            out.append(s)
        }
        var measured = "measured      \(Fmt.fixed(elapsedSeconds, 2)) s"
        if o.warmup > 0 { measured += " after \(Fmt.fixed(o.warmup, 1)) s warm-up (\(Fmt.grouped(totals.warmupCalls)) calls not counted)" }
        if stoppedEarly { measured += "  (stopped early by signal)" }
        out.append(measured)
        out.append("throughput    \(Fmt.fixed(throughput, 1)) calls/s: \(Fmt.grouped(a.calls)) calls, \(Fmt.grouped(a.ok)) OK, \(Fmt.grouped(a.errors)) failed"
                   + (a.calls > 0 ? " (\(Fmt.fixed(100 * Double(a.errors) / Double(a.calls), 2)) %)" : ""))
        if a.errors > 0 {
            out.append("errors        \(errorSummary)")
            for slot in errorSamples.keys.sorted() {
                out.append("              e.g. \(errorSamples[slot]!)")
            }
        }
        out.append("latency       " + Self.latencyLine(a.latency) + (o.isOpenLoop ? "   (from the INTENDED send time)" : ""))
        out.append("")
        out.append("  operation   " + Fmt.pad("calls", 9) + Fmt.pad("calls/s", 10) + Fmt.pad("errors", 8)
                   + Self.percentiles.map { Fmt.pad($0.0, 9) }.joined() + Fmt.pad("max", 9) + "  rpc")
        for op in Operation.allCases where o.mix.weight(op) > 0 || totals.ops[op.rawValue].calls > 0 {
            let t = totals.ops[op.rawValue]
            var row = "  " + Fmt.pad(op.description, 10, right: false) + "  " + Fmt.pad(Fmt.grouped(t.calls), 9)
            row += Fmt.pad(Fmt.fixed(elapsedSeconds > 0 ? Double(t.calls) / elapsedSeconds : 0, 1), 10)
            row += Fmt.pad(Fmt.grouped(t.errors), 8)
            for (_, p) in Self.percentiles { row += Fmt.pad(t.latency.isEmpty ? "-" : Fmt.micros(t.latency.value(atPercentile: p)), 9) }
            row += Fmt.pad(t.latency.isEmpty ? "-" : Fmt.micros(t.latency.maxValue), 9)
            row += "  " + op.rpc
            out.append(row)
        }
        if let ol = openLoop {
            out.append("")
            out.append("open loop     scheduled \(Fmt.grouped(ol.scheduled)) at \(Fmt.fixed(ol.rate, 1))/s, sent \(Fmt.grouped(ol.sent)), "
                       + "late \(Fmt.grouped(ol.late)) (sent > \(Fmt.micros(ol.lateThresholdMicros)) after the intended time"
                       + (ol.sent > 0 ? ", \(Fmt.fixed(100 * Double(ol.late) / Double(ol.sent), 1)) %" : "") + ")")
            out.append("              of the late: \(Fmt.grouped(ol.waitedForSlot)) waited for a free slot (all \(o.connections * o.inflight) busy),"
                       + " \(Fmt.grouped(ol.late - ol.waitedForSlot)) had a slot but this client woke up late")
            out.append("              dropped \(Fmt.grouped(ol.dropped)): \(Fmt.grouped(ol.unsent)) still unsent when the run ended"
                       + (o.maxLag != nil ? ", \(Fmt.grouped(ol.droppedForLag)) more than \(Fmt.fixed(o.maxLag!, 1)) s behind" : "")
                       + "; achieved \(Fmt.fixed(throughput, 1))/s of \(Fmt.fixed(ol.rate, 1))/s")
            out.append("send lag      " + Self.latencyLine(ol.sendLag) + "   (intended → actual send)")
            if ol.notSustained(achieved: throughput) {
                out.append("              ** the target rate was NOT sustained: the server (or this client, or the slot cap) could not keep up;"
                           + " latencies include the queueing delay **")
            } else if ol.fellBehind {
                out.append("              the rate was held on average, but the server fell behind at times: \(Fmt.fixed(100 * Double(ol.waitedForSlot) / Double(ol.sent), 1)) %"
                           + " of the requests found all slots busy and waited (the wait is in the latencies)")
            } else if ol.sent > 0 && Double(ol.late - ol.waitedForSlot) / Double(ol.sent) >= 0.05 {
                out.append("              (the rate was held, but this client often woke up late: a busy machine? Those delays are in the latencies.)")
            }
        }
        if let w = watchers {
            out.append("")
            let updates = w.kinds.filter { $0 == .updates }.count
            let queue = w.kinds.count - updates
            out.append("watchers      \(w.opened) of \(w.kinds.count) streams open (\(updates) WatchUpdates, \(queue) WatchQueue) on \(w.connections) connection(s)")
            if updates > 0 {
                out.append("              WatchUpdates: \(Fmt.grouped(w.sum(.updates, w.received))) messages received, \(Fmt.grouped(w.sum(.updates, w.expected))) due for this run's filings")
            }
            if queue > 0 {
                out.append("              WatchQueue:   \(Fmt.grouped(w.sum(.queue, w.received))) events received, \(Fmt.grouped(w.sum(.queue, w.expected))) due (NEW events of this run's filings)")
            }
            let rate = elapsedSeconds > 0 ? Double(w.received.reduce(0, +)) / elapsedSeconds : 0
            out.append("              \(Fmt.fixed(rate, 1)) messages/s; \(w.short) streams short by \(w.missing) messages; "
                       + "\(w.errorCount) stream errors" + (w.errorCount > 0 ? " (" + (1..<Outcome.slots).filter { w.errors[$0] > 0 }.map { "\(Outcome.name($0)) \(w.errors[$0])" }.joined(separator: ", ") + ")" : "")
                       + ", \(w.endedEarly) ended early by the server")
        }
        out.append("")
        out.append("client        \(Fmt.fixed(clientCPUCores, 2)) CPU cores on average (portal-load itself; on a shared machine it competes with the server)")
        if let s = server {
            out.append("server        pid \(s.pid): \(Fmt.fixed(s.cpuCores, 2)) CPU cores; RSS \(Fmt.bytes(s.rssStart)) → \(Fmt.bytes(s.rssEnd))"
                       + " (peak sampled \(Fmt.bytes(s.rssPeakSampled)), VmHWM \(Fmt.bytes(s.hwm))); threads \(s.threadsStart) → \(s.threadsEnd); fds \(s.fdsStart) → \(s.fdsEnd)")
        }
        return out.joined(separator: "\n")
    }

    static func latencyLine(_ h: LatencyHistogram) -> String {
        guard !h.isEmpty else { return "-" }
        return percentiles.map { "\($0.0) \(Fmt.micros(h.value(atPercentile: $0.1)))" }.joined(separator: "  ")
            + "  max \(Fmt.micros(h.maxValue))  (mean \(Fmt.micros(UInt64(h.mean))), n=\(Fmt.grouped(h.totalCount)))"
    }

    // MARK: JSON

    static func latencyJSON(_ h: LatencyHistogram) -> JSON {
        .object([
            ("count", .uint(h.totalCount)),
            ("min", .uint(h.minValue)),
            ("p50", .uint(h.value(atPercentile: 50))),
            ("p90", .uint(h.value(atPercentile: 90))),
            ("p99", .uint(h.value(atPercentile: 99))),
            ("p99_9", .uint(h.value(atPercentile: 99.9))),
            ("max", .uint(h.maxValue)),
            ("mean", .double(h.mean)),
        ])
    }

    static func outcomesJSON(_ outcomes: [UInt64]) -> JSON {
        .object((1..<Outcome.slots).filter { outcomes[$0] > 0 }.map { (Outcome.name($0), .uint(outcomes[$0])) })
    }

    public var json: JSON {
        let o = options
        let a = all
        var fields: [(String, JSON)] = [
            ("target", .string("\(target.host):\(target.port)")),
            ("mode", .string(o.isOpenLoop ? "open" : "closed")),
            ("rate", o.rate.map { .double($0) } ?? .null),
            ("connections", .int(Int64(o.connections))),
            ("inflight_per_connection", .int(Int64(o.inflight))),
            ("mix", .object(o.mix.operations.map { ($0.description, .int(Int64(o.mix.weight($0)))) })),
            ("duration_s", .double(elapsedSeconds)),
            ("warmup_s", .double(o.warmup)),
            ("stopped_early", .bool(stoppedEarly)),
            ("calls", .uint(a.calls)),
            ("ok", .uint(a.ok)),
            ("errors", .uint(a.errors)),
            ("throughput_rps", .double(throughput)),
            ("errors_by_code", Self.outcomesJSON(a.outcomes)),
            ("error_examples", .object(errorSamples.keys.sorted().map { (Outcome.name($0), .string(errorSamples[$0]!)) })),
            ("latency_us", Self.latencyJSON(a.latency)),
            ("latency_from", .string(o.isOpenLoop ? "intended_send_time" : "actual_send_time")),
            ("operations", .object(Operation.allCases.filter { o.mix.weight($0) > 0 || totals.ops[$0.rawValue].calls > 0 }.map { op in
                let t = totals.ops[op.rawValue]
                return (op.description, .object([
                    ("rpc", .string(op.rpc)),
                    ("calls", .uint(t.calls)),
                    ("ok", .uint(t.ok)),
                    ("errors", .uint(t.errors)),
                    ("errors_by_code", Self.outcomesJSON(t.outcomes)),
                    ("latency_us", Self.latencyJSON(t.latency)),
                ]))
            })),
        ]
        if let ol = openLoop {
            fields.append(("open_loop", .object([
                ("scheduled", .int(Int64(ol.scheduled))),
                ("sent", .int(Int64(ol.sent))),
                ("late", .int(Int64(ol.late))),
                ("late_threshold_us", .uint(ol.lateThresholdMicros)),
                ("late_waited_for_slot", .int(Int64(ol.waitedForSlot))),
                ("sustained", .bool(!ol.notSustained(achieved: throughput))),
                ("fell_behind", .bool(ol.fellBehind)),
                ("dropped", .int(Int64(ol.dropped))),
                ("dropped_max_lag", .int(Int64(ol.droppedForLag))),
                ("unsent_at_end", .int(Int64(ol.unsent))),
                ("send_lag_us", Self.latencyJSON(ol.sendLag)),
            ])))
        }
        if let w = watchers {
            fields.append(("watchers", .object([
                ("streams", .int(Int64(w.kinds.count))),
                ("opened", .int(Int64(w.opened))),
                ("connections", .int(Int64(w.connections))),
                ("updates_streams", .int(Int64(w.kinds.filter { $0 == .updates }.count))),
                ("updates_received", .uint(w.sum(.updates, w.received))),
                ("updates_due", .uint(w.sum(.updates, w.expected))),
                ("queue_streams", .int(Int64(w.kinds.filter { $0 == .queue }.count))),
                ("queue_received", .uint(w.sum(.queue, w.received))),
                ("queue_due", .uint(w.sum(.queue, w.expected))),
                ("short_streams", .int(Int64(w.short))),
                ("missing_messages", .uint(w.missing)),
                ("errors_by_code", Self.outcomesJSON(w.errors)),
                ("ended_early", .int(Int64(w.endedEarly))),
            ])))
        }
        if !seed.citizens.isEmpty || seed.officer != nil { fields.append(("seed", .object([
            ("run_tag", .string(seed.runTag)),
            ("citizens", .int(Int64(seed.citizens.count))),
            ("complaints", .int(Int64(seed.citizens.reduce(0) { $0 + $1.complaintCodes.count }))),
            ("officer", seed.officer.map { .string($0.username) } ?? .null),
            ("seconds", .double(seed.seconds)),
        ]))) }
        fields.append(("client_cpu_cores", .double(clientCPUCores)))
        if let s = server {
            fields.append(("server", .object([
                ("pid", .int(Int64(s.pid))),
                ("cpu_cores", .double(s.cpuCores)),
                ("rss_start_bytes", .uint(s.rssStart)),
                ("rss_end_bytes", .uint(s.rssEnd)),
                ("rss_peak_sampled_bytes", .uint(s.rssPeakSampled)),
                ("vm_hwm_bytes", .uint(s.hwm)),
                ("threads_start", .int(Int64(s.threadsStart))),
                ("threads_end", .int(Int64(s.threadsEnd))),
                ("fds_start", .int(Int64(s.fdsStart))),
                ("fds_end", .int(Int64(s.fdsEnd))),
            ])))
        }
        fields.append(("seconds", .array(intervals.map { s in
            var f: [(String, JSON)] = [
                ("t", .int(Int64(s.second))),
                ("warmup", .bool(s.warmup)),
                ("length_s", .double(s.length)),
                ("completed", .uint(s.completed)),
                ("errors", .uint(s.errors)),
                ("p50_us", .uint(s.p50)),
                ("p99_us", .uint(s.p99)),
                ("inflight", .int(Int64(s.inflight))),
                ("client_cpu", .double(s.clientCPU)),
            ]
            if o.isOpenLoop { f.append(("late", .uint(s.late))); f.append(("dropped", .uint(s.dropped))) }
            if o.watchers > 0 { f.append(("watch_messages", .uint(s.watchMessages))) }
            if let srv = s.server {
                f.append(("server_rss_bytes", .uint(srv.rssBytes)))
                if let c = s.serverCPU { f.append(("server_cpu", .double(c))) }
            }
            return .object(f)
        })))
        return .object(fields)
    }
}
