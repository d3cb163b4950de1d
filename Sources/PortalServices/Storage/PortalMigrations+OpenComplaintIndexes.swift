import PortalStore

/// `0010_open_complaint_indexes_without_in_lists`: the two partial indexes of unresolved
/// complaints get a condition SQLite evaluates with comparisons. Their old condition,
/// `status IN (1, 2, 3, 6)`, is a constant list of more than two values, which SQLite 3.40
/// evaluates through an ephemeral table: every INSERT into `complaints` (and every UPDATE of
/// one) opened, filled, searched and closed two temporary B-trees, one per index, a zeroed
/// page each (about 4 ephemeral tables per FileComplaint with the RETURNING clauses since
/// replaced: docs/PERFORMANCE-PORTAL.md). The rows indexed are the same: statuses 1, 2, 3 and
/// 6, `OpenComplaints.condition`.
extension PortalMigrations {
    static let openComplaintIndexesWithoutInLists = """
    DROP INDEX complaints_open_clock;
    DROP INDEX complaints_open_district_clock;
    CREATE INDEX complaints_open_clock ON complaints(clock_started_at) WHERE (status BETWEEN 1 AND 3 OR status = 6);
    CREATE INDEX complaints_open_district_clock ON complaints(district_code, clock_started_at) WHERE (status BETWEEN 1 AND 3 OR status = 6);
    """
}
