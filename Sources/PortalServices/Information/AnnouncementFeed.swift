import PortalModel
import PortalRPC
import PortalStore
import Synchronization

/// Which citizens are watching announcements, by district. A publication wakes the watchers
/// of the districts it reaches through the citizen wake-ups of `UpdateHub`, so announcement
/// streams end with the hub (server shutdown) and with their session exactly like
/// WatchUpdates; what they send is read from the store by feed sequence.
final class AnnouncementWatchers: Sendable {
    private let byDistrict = Mutex<[String: [Int64: Int]]>([:])

    init() {}

    /// Registers a watcher; returns the function that removes it.
    func add(district: String, citizenID: Int64) -> @Sendable () -> Void {
        byDistrict.withLock { $0[district, default: [:]][citizenID, default: 0] += 1 }
        return { [weak self] in
            self?.byDistrict.withLock { s in
                let left = (s[district]?[citizenID] ?? 1) - 1
                s[district]?[citizenID] = left > 0 ? left : nil
                if s[district]?.isEmpty == true { s[district] = nil }
            }
        }
    }

    /// Wakes the watchers of `districts` (after the commit of a change that reaches them).
    func wake(_ core: PortalCore, districts: [String]) {
        let citizens = byDistrict.withLock { s in districts.flatMap { s[$0].map { Array($0.keys) } ?? [] } }
        if !citizens.isEmpty { core.hub.citizenMessagesChanged(citizens) }
    }
}

/// The live announcement feed of one citizen: first what is in force for his district (or,
/// resuming, every change after the client's sequence, withdrawals included), then each new
/// publication or withdrawal. Each batch goes out emergencies first; `resume_after` on every
/// item is a sequence the client may resume from without losing anything.
struct AnnouncementFeed: Sendable {
    let core: PortalCore
    let watchers: AnnouncementWatchers
    static let batchLimit = 500

    func watch(_ request: Portal_V1_WatchAnnouncementsRequest, citizen: Principal.Citizen,
               response: RPCWriter<Portal_V1_AnnouncementUpdate>, context: RPCServerContext) async throws {
        let auth = Authenticator(core: core)
        guard request.afterSequence <= UInt64(Int64.max) else { throw PortalError.invalidArgument(field: "after_sequence", reason: "is out of range") }
        var after = Int64(request.afterSequence)
        var resuming = after > 0
        let reach = InfoAccess(directory: core.directory).reach(of: citizen.districtCode)
        let announcements = Announcements(core: core, watchers: watchers)
        let (signals, cancel) = core.hub.watchCitizen(citizen.id)
        defer { cancel() }
        let unregister = watchers.add(district: citizen.districtCode, citizenID: citizen.id)
        defer { unregister() }
        let unguard = try await auth.guardWatch(context, .citizen(citizen), end: cancel)
        defer { unguard() }
        var wakeups = signals.makeAsyncIterator()
        while !Task.isCancelled {
            let from = after, changes = resuming, now = core.now()
            let (batch, newest) = try await core.read { db in
                try Self.batch(db, reach: reach, after: from, changesToo: changes, now: now)
            }
            // The cursor after this batch: everything up to `end` that concerns the citizen is in it.
            let end = batch.count == Self.batchLimit ? Int64(batch.last!.feedSequence) : max(newest, from)
            var pending = batch.map { Int64($0.feedSequence) }  // ascending
            var done = Set<Int64>()
            for a in batch.sorted(by: { ($0.category.rawValue, $0.feedSequence) < ($1.category.rawValue, $1.feedSequence) }) {
                done.insert(Int64(a.feedSequence))
                while let first = pending.first, done.contains(first) { pending.removeFirst() }
                var update = Portal_V1_AnnouncementUpdate()
                update.announcement = announcements.withTier(a)
                update.resumeAfter = UInt64(pending.first.map { $0 - 1 } ?? end)
                try await response.write(update)
            }
            after = end
            resuming = true
            if batch.count == Self.batchLimit { continue }
            guard await wakeups.next() != nil else { try await auth.watchEnded(context) }
        }
        throw CancellationError()
    }

    /// Announcements for `reach` after `after` in feed order: those in force, and (when
    /// `changesToo`) withdrawn ones, whose withdrawal is news to a client that saw them. Also
    /// the newest feed sequence of all, read in the same transaction.
    static func batch(_ db: Database, reach: [String], after: Int64, changesToo: Bool, now: Int64) throws
        -> ([Portal_V1_Announcement], Int64) {
        let newest = try db.queryOne("SELECT coalesce(max(feed_seq), 0) FROM announcements", []) { $0.int(0) } ?? 0
        let values: [SQLValue] = reach.map { .text($0) } + [.integer(after), .integer(now), .integer(changesToo ? 1 : 0), .integer(Int64(batchLimit))]
        let rows = try db.query("""
            SELECT \(Announcements.columns) FROM announcements
            WHERE scope_code IN (\(InfoValidation.placeholders(reach.count))) AND feed_seq > ?
              AND ((withdrawn_at IS NULL AND expires_at > ?) OR (? AND withdrawn_at IS NOT NULL))
            ORDER BY feed_seq LIMIT ?
            """, values) { Announcements.row($0, now: now) }
        return (rows, newest)
    }
}
