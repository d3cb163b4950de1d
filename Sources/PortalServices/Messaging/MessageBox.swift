import PortalModel
import PortalStore

/// A citizen's message box: every change to his complaints (and later applications and
/// announcements) appends a message with the next per-citizen sequence number, inside the
/// transaction of the change itself. Watchers resume from a sequence number and miss nothing.
enum MessageBox {
    /// Appends a message; returns its sequence number.
    @discardableResult
    static func append(_ db: Database, citizenID: Int64, kind: Portal_V1_MessageKind,
                       reference: String, text: String, at: Int64) throws -> Int64 {
        // No RETURNING: SQLite collects its rows in a temporary B-tree, dearer than a second
        // lookup of the same row.
        try db.run("UPDATE citizens SET last_message_seq = last_message_seq + 1 WHERE id = ?", citizenID)
        guard db.changes == 1,
              let seq = try db.queryOne("SELECT last_message_seq FROM citizens WHERE id = ?", [citizenID], { $0.int(0) })
        else { throw PortalError.notFound("citizen not found") }
        try db.run("INSERT INTO messages (citizen_id, seq, kind, reference_code, text, at) VALUES (?, ?, ?, ?, ?, ?)",
                   citizenID, seq, Int64(kind.rawValue), reference, text, at)
        return seq
    }

    static func list(_ db: Database, citizenID: Int64, after: Int64, limit: Int, unreadOnly: Bool) throws -> [Portal_V1_CitizenMessage] {
        let filter = unreadOnly ? " AND read = 0" : ""
        return try db.query("SELECT seq, kind, reference_code, text, at, read FROM messages WHERE citizen_id = ? AND seq > ?\(filter) ORDER BY seq LIMIT ?",
                            [citizenID, after, limit]) { r in
            var m = Portal_V1_CitizenMessage()
            m.sequence = UInt64(r.int(0))
            m.kind = Portal_V1_MessageKind(rawValue: Int32(truncatingIfNeeded: r.int(1)))
            m.referenceCode = r.text(2)
            m.text = r.text(3)
            m.at = .init(millis: r.int(4))
            m.read = r.int(5) != 0
            return m
        }
    }

    static func unreadCount(_ db: Database, citizenID: Int64) throws -> Int64 {
        try db.queryOne("SELECT count(*) FROM messages WHERE citizen_id = ? AND read = 0", [citizenID]) { $0.int(0) } ?? 0
    }

    static func lastSequence(_ db: Database, citizenID: Int64) throws -> Int64 {
        try db.queryOne("SELECT last_message_seq FROM citizens WHERE id = ?", [citizenID]) { $0.int(0) } ?? 0
    }

    static func markRead(_ db: Database, citizenID: Int64, upTo: Int64) throws {
        try db.run("UPDATE messages SET read = 1 WHERE citizen_id = ? AND seq <= ? AND read = 0", citizenID, upTo)
    }
}
