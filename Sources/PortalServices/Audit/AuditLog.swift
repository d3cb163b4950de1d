import PortalModel
import PortalSecurity
import PortalStore

/// The append-only audit log of every state-changing action, tamper-evident: each entry's
/// hash is SHA-256 over the previous entry's hash and this entry's fields, so editing,
/// deleting or reordering any entry breaks every hash after it. Entries are written inside
/// the same transaction as the change they record, so the log and the data never disagree.
///
/// Hash input (all integers big-endian): previous hash (32 zero bytes for the first entry),
/// then seq (u64), at (i64 Unix ms), actor_role (i32), and for each of actor_id, action,
/// target, detail: its UTF-8 length (u32) followed by its bytes.
public enum AuditLog {
    public struct Entry: Sendable, Equatable {
        public var sequence: Int64
        public var at: Int64
        public var actorID: String
        public var actorRole: Int32
        public var action: String
        public var target: String
        public var detail: String
        public var hash: [UInt8]
    }

    static let genesis = [UInt8](repeating: 0, count: 32)

    /// Appends an entry inside the caller's write transaction.
    static func append(_ db: Database, at: Int64, actor: Principal?, action: String, target: String, detail: String = "") throws {
        let last = try db.queryOne("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") { ($0.int(0), $0.blob(1)) }
        let seq = (last?.0 ?? 0) + 1
        let actorID = actor?.auditID ?? "system"
        let role = actor?.role.rawValue ?? 0
        let hash = digest(previous: last?.1 ?? genesis, seq: seq, at: at, actorRole: role,
                          actorID: actorID, action: action, target: target, detail: detail)
        try db.run("INSERT INTO audit_log (seq, at, actor_id, actor_role, action, target, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   seq, at, actorID, Int64(role), action, target, detail, hash)
    }

    static func digest(previous: [UInt8], seq: Int64, at: Int64, actorRole: Int32,
                       actorID: String, action: String, target: String, detail: String) -> [UInt8] {
        var input = previous
        input.reserveCapacity(previous.count + 64 + actorID.utf8.count + action.utf8.count + target.utf8.count + detail.utf8.count)
        appendBigEndian(UInt64(bitPattern: seq), to: &input)
        appendBigEndian(UInt64(bitPattern: at), to: &input)
        appendBigEndian(UInt32(bitPattern: actorRole), to: &input)
        for field in [actorID, action, target, detail] {
            appendBigEndian(UInt32(field.utf8.count), to: &input)
            input.append(contentsOf: field.utf8)
        }
        return SHA256.hash(input)
    }

    private static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    static func list(_ db: Database, after: Int64, limit: Int) throws -> [Entry] {
        try db.query("SELECT seq, at, actor_id, actor_role, action, target, detail, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                     [after, limit]) { r in
            Entry(sequence: r.int(0), at: r.int(1), actorID: r.text(2), actorRole: Int32(truncatingIfNeeded: r.int(3)),
                  action: r.text(4), target: r.text(5), detail: r.text(6), hash: r.blob(7))
        }
    }

    /// Walks the whole chain: (entries checked, first bad sequence or nil).
    static func verify(_ db: Database) throws -> (checked: Int64, firstBad: Int64?) {
        var previous = genesis
        var expectedSeq: Int64 = 1
        var checked: Int64 = 0
        var firstBad: Int64?
        var after: Int64 = 0
        while firstBad == nil {
            let page = try list(db, after: after, limit: 1000)
            if page.isEmpty { break }
            for e in page {
                checked += 1
                let want = digest(previous: previous, seq: e.sequence, at: e.at, actorRole: e.actorRole,
                                  actorID: e.actorID, action: e.action, target: e.target, detail: e.detail)
                if e.sequence != expectedSeq || !ConstantTime.equals(want, e.hash) {
                    firstBad = e.sequence
                    break
                }
                previous = e.hash
                expectedSeq += 1
            }
            after = page.last!.sequence
        }
        return (checked, firstBad)
    }
}

extension AuditLog.Entry {
    var proto: Portal_V1_AuditEntry {
        var e = Portal_V1_AuditEntry()
        e.sequence = UInt64(sequence)
        e.at = .init(millis: at)
        e.actorId = actorID
        e.actorRole = Portal_V1_Role(rawValue: actorRole)
        e.action = action
        e.target = target
        e.detail = detail
        e.hash_p = hash
        return e
    }
}
