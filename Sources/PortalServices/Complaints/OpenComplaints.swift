import PortalModel

/// Unresolved complaints: new (1), assigned (2), information requested (3) and reopened (6).
public enum OpenComplaints {
    /// The condition "`column` is an unresolved status", written exactly as the partial indexes
    /// `complaints_open_clock` and `complaints_open_district_clock` state it (migration 0010):
    /// SQLite uses a partial index only for a query whose WHERE has that same term.
    public static func condition(_ column: String) -> String {
        "(\(column) BETWEEN 1 AND 3 OR \(column) = 6)"
    }

    /// The statuses `condition` accepts.
    public static let statuses: Set<Portal_V1_ComplaintStatus> = [.new, .assigned, .infoRequested, .reopened]
}
