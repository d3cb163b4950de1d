import PortalStore

/// `0008_complaint_counters_per_transaction`: a new complaint is no longer counted by insert
/// triggers (four upserts per complaint, one after another on the writer) but by
/// `ComplaintCounters`, once per write transaction. The update triggers of the same four
/// tables now take the old row's count down with an upsert (a row of −1 if the transaction's
/// filings are not written yet) instead of an UPDATE that would find no row, so a complaint
/// filed and changed in one group commit is counted right whatever the order.
extension PortalMigrations {
    static let complaintCountersPerTransaction: String = {
        let newDay = daySQL("new.filed_at"), oldDay = daySQL("old.filed_at")
        let changed = """
            old.district_code <> new.district_code OR old.category_code <> new.category_code OR old.status <> new.status
                OR old.tier <> new.tier OR (old.reopen_count > 0) <> (new.reopen_count > 0)
            """
        return """
        DROP TRIGGER complaint_stats_insert;
        DROP TRIGGER complaint_days_insert;
        DROP TRIGGER complaint_stats_update;
        DROP TRIGGER complaint_days_update;
        DROP TRIGGER complaint_days_by_district_update;
        DROP TRIGGER complaint_days_by_category_update;

        CREATE TRIGGER complaint_stats_update AFTER UPDATE OF district_code, category_code, status, tier, reopen_count ON complaints
        WHEN \(changed)
        BEGIN
            INSERT INTO complaint_stats VALUES (old.district_code, old.category_code, old.status, old.tier, old.reopen_count > 0, -1)
                ON CONFLICT DO UPDATE SET n = n - 1;
            INSERT INTO complaint_stats VALUES (new.district_code, new.category_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER complaint_days_update AFTER UPDATE OF district_code, category_code, status, tier, reopen_count ON complaints
        WHEN \(changed)
        BEGIN
            INSERT INTO complaint_days VALUES (old.district_code, \(oldDay), old.category_code, old.status, old.tier, old.reopen_count > 0, -1)
                ON CONFLICT DO UPDATE SET n = n - 1;
            INSERT INTO complaint_days VALUES (new.district_code, \(newDay), new.category_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER complaint_days_by_district_update AFTER UPDATE OF district_code, status, tier, reopen_count ON complaints
        WHEN old.district_code <> new.district_code OR old.status <> new.status OR old.tier <> new.tier
            OR (old.reopen_count > 0) <> (new.reopen_count > 0)
        BEGIN
            INSERT INTO complaint_days_by_district VALUES (\(oldDay), old.district_code, old.status, old.tier, old.reopen_count > 0, -1)
                ON CONFLICT DO UPDATE SET n = n - 1;
            INSERT INTO complaint_days_by_district VALUES (\(newDay), new.district_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER complaint_days_by_category_update AFTER UPDATE OF category_code, status ON complaints
        WHEN old.category_code <> new.category_code OR old.status <> new.status
        BEGIN
            INSERT INTO complaint_days_by_category VALUES (\(oldDay), old.category_code, old.status, -1)
                ON CONFLICT DO UPDATE SET n = n - 1;
            INSERT INTO complaint_days_by_category VALUES (\(newDay), new.category_code, new.status, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        """
    }()
}
