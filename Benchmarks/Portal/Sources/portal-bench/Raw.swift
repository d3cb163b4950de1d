#if canImport(Glibc)
import Glibc
#endif
import PortalStore

/// `portal-bench raw --data DIR [--seconds 10] [--warmup 1] [--batch 1] [--sync normal|full]`
///
/// Complaint rows inserted straight through PortalStore's `Database` on the store's writer
/// configuration (WAL, `--sync`, foreign keys on), in the same table as FileComplaint's
/// (its indexes included; since migration 0008 no insert trigger counts them in the statistics):
/// `BEGIN IMMEDIATE`, `--batch` INSERTs,
/// `COMMIT`, repeated. `--batch 1` is the durable-per-request baseline, `--batch 1000` the
/// upper bound. `c/raw_insert.c` does the same with the SQLite C API alone.
func rawBench(_ options: Options) throws {
    let data = options.dataDirectory
    let accounts = BenchAccounts.load(data)
    let batch = max(1, options.int("batch", 1))
    let seconds = options.double("seconds", 10), warmup = options.double("warmup", 1)
    let sync: Database.Synchronous = options.string("sync", "normal") == "full" ? .full : .normal
    let db = try Database.writer(path: data + "/portal.sqlite", synchronous: sync)
    let firstCitizen = Int64(accounts["citizen_first_id"])!, citizenCount = Int(accounts["citizen_count"])!
    let categories = try db.query("SELECT code, department_code FROM categories WHERE active = 1 ORDER BY code") { ($0.text(0), $0.text(1)) }
    let districts = try db.query("SELECT code, parent_code FROM jurisdictions WHERE tier = 1 ORDER BY code") { ($0.text(0), $0.text(1)) }
    let run = unixMillis() % 100_000
    var rng = SplitMix(seed: UInt64(run))
    let sql = """
        INSERT INTO complaints (code, citizen_id, idempotency_key, category_code, department_code, description,
            district_code, division_code, latitude, longitude, accuracy_m, address, status, tier,
            filed_at, clock_started_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
        """
    say("raw: PortalStore Database, batch \(batch), synchronous=\(sync.rawValue), \(warmup) s warm-up + \(seconds) s; load \(loadAverage())")
    let begin = nowNanos()
    let measureAt = begin + UInt64(warmup * 1e9), end = measureAt + UInt64(seconds * 1e9)
    var rows = 0, n = 0, commits = 0
    var commitLatency = Latencies()
    while true {
        let t0 = nowNanos()
        if t0 >= end { break }
        try db.run("BEGIN IMMEDIATE")
        for _ in 0..<batch {
            n += 1
            let (category, department) = categories[rng.below(categories.count)]
            let (district, division) = districts[rng.below(districts.count)]
            let located = rng.chance(0.7)
            let now = unixMillis()
            try db.run(sql, bindings: [
                "\(district)-R\(run)-\(n)", firstCitizen + Int64(rng.below(citizenCount)), "raw-\(run)-\(n)", category, department,
                ComplaintRequests.texts[rng.below(ComplaintRequests.texts.count)] + " Reference \(n).", district, division,
                located ? 33.9 + rng.unit() * 0.2 : nil, located ? 71.4 + rng.unit() * 0.2 : nil, located ? 5 + rng.unit() * 30 : nil,
                "House \(1 + rng.below(400)), Street \(1 + rng.below(40))", Int64(1), now, now, now,
            ])
        }
        try db.run("COMMIT")
        let t1 = nowNanos()
        if t1 >= measureAt && t1 < end {
            rows += batch
            commits += 1
            commitLatency.add(t1 - t0)
        }
    }
    db.close()
    let s = commitLatency.summary()
    say("RESULT bench=raw-store batch=\(batch) sync=\(sync.rawValue.lowercased()) rows=\(rows) rows_s=\(fmt(Double(rows) / seconds, 0)) commits_s=\(fmt(Double(commits) / seconds, 0)) txn_p50_ms=\(fmt(s.p50, 3)) txn_p99_ms=\(fmt(s.p99, 3))")
}
