import PortalStore

/// The statistics rows a new complaint adds to, counted in the write transaction and written
/// once per transaction: a group commit of a hundred filings updates each counter row it
/// touches once, instead of the four upserts per complaint that an insert trigger ran
/// (`0008_complaint_counters_per_transaction`).
///
/// A new complaint counts once in each of `complaint_stats` (all time), `complaint_days`,
/// `complaint_days_by_district` and `complaint_days_by_category` (by filing day, see
/// `PortalMigrations+DailyStatistics.swift`). Changes to existing complaints are still counted
/// by the update triggers; those add −1 and +1 with upserts, so the order in which a
/// transaction's filings and updates reach a row does not matter. Every path that inserts
/// into `complaints` must call `complaintInserted` in the same transaction;
/// `StatisticsAudit.mismatches` finds any that does not.
enum ComplaintCounters {
    struct Key: Hashable {
        var district: String
        var category: String
        var day: Int64
        var status: Int64
        var tier: Int64
        var reopened: Bool
    }

    typealias Accumulator = TransactionCounters<Key>

    /// Counts a complaint just inserted with these values, inside the caller's transaction.
    static func complaintInserted(_ db: Database, district: String, category: String, filedAt: Int64,
                                  status: Int64, tier: Int64, reopened: Bool) throws {
        let key = Key(district: district, category: category, day: PortalMigrations.day(ofMillis: filedAt),
                      status: status, tier: tier, reopened: reopened)
        try db.accumulate(Accumulator.self, make: { Accumulator(openSavepoints: $0, write: write) }) { $0.add(1, to: key) }
    }

    /// Adds the transaction's totals to the four tables.
    static func write(_ db: Database, _ totals: [Key: Int64]) throws {
        var byDistrict: [DistrictKey: Int64] = [:], byCategory: [CategoryKey: Int64] = [:], allTime: [AllTimeKey: Int64] = [:]
        for (k, n) in totals {
            try db.run("""
                INSERT INTO complaint_days VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n
                """, k.district, k.day, k.category, k.status, k.tier, Int64(k.reopened ? 1 : 0), n)
            byDistrict[DistrictKey(day: k.day, district: k.district, status: k.status, tier: k.tier, reopened: k.reopened), default: 0] += n
            byCategory[CategoryKey(day: k.day, category: k.category, status: k.status), default: 0] += n
            allTime[AllTimeKey(district: k.district, category: k.category, status: k.status, tier: k.tier, reopened: k.reopened), default: 0] += n
        }
        for (k, n) in allTime {
            try db.run("""
                INSERT INTO complaint_stats VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n
                """, k.district, k.category, k.status, k.tier, Int64(k.reopened ? 1 : 0), n)
        }
        for (k, n) in byDistrict {
            try db.run("""
                INSERT INTO complaint_days_by_district VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n
                """, k.day, k.district, k.status, k.tier, Int64(k.reopened ? 1 : 0), n)
        }
        for (k, n) in byCategory {
            try db.run("""
                INSERT INTO complaint_days_by_category VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n
                """, k.day, k.category, k.status, n)
        }
    }

    private struct AllTimeKey: Hashable {
        var district: String, category: String, status: Int64, tier: Int64, reopened: Bool
    }

    private struct DistrictKey: Hashable {
        var day: Int64, district: String, status: Int64, tier: Int64, reopened: Bool
    }

    private struct CategoryKey: Hashable {
        var day: Int64, category: String, status: Int64
    }
}
