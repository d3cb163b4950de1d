import PortalStore

/// Counters by filing day, kept by triggers in the same transaction as the change, so a
/// dashboard for a period reads a few thousand counter rows instead of every complaint filed
/// in it. A day is a calendar day in Pakistan Standard Time (UTC+5, no daylight saving):
/// `(filed_at + 18000000) / 86400000`, days since 1970-01-01. Each complaint counts on the
/// day it was filed, under its current district, category, status, tier and reopened flag,
/// as the exact period queries count it; a change of any of those moves it between rows.
///
/// - `complaint_days`: everything a district or division period needs, by district.
/// - `complaint_days_by_district` / `_by_category`: the same, summed over categories resp.
///   districts, for the whole-jurisdiction (province) dashboard, which would otherwise read
///   one row per district, day, category and state.
/// - `resolution_days` / `resolution_days_all`: current resolution times (filing to
///   `resolved_at`) in whole hours, capped at 90 days like `resolution_hours`, for medians.
/// - `feedback_days`: feedback given and satisfied, by the complaint's district and filing day.
/// - `officer_days`, `officer_hours`, `officer_hours_all`: assignments and resolutions per
///   officer by the complaint's filing day, and assignment-to-resolution hours.
///
/// Rows whose counts fall to zero stay; readers skip them. `StatisticsAudit` recounts every
/// table from the data. Complaints are never deleted and `filed_at` never changes, so no
/// trigger handles either (the complaint tables' own triggers would be the place).
extension PortalMigrations {
    static let pktDayOffsetMillis: Int64 = 18_000_000

    /// The SQL day number of the time `column`.
    static func daySQL(_ column: String) -> String { "((\(column) + 18000000) / 86400000)" }
    /// `daySQL` in Swift, for a time in hand.
    static func day(ofMillis millis: Int64) -> Int64 { (millis + pktDayOffsetMillis) / 86_400_000 }
    /// Whole hours between two times, capped at 90 days.
    static func hoursSQL(_ from: String, _ to: String) -> String { "min((\(to) - \(from)) / 3600000, 2160)" }

    static let dailyStatistics: String = {
        let newDay = daySQL("new.filed_at"), oldDay = daySQL("old.filed_at")
        let newHours = hoursSQL("new.filed_at", "new.resolved_at"), oldHours = hoursSQL("old.filed_at", "old.resolved_at")
        let complaintDay = { (id: String) in "(SELECT \(daySQL("filed_at")) FROM complaints WHERE id = \(id))" }
        return """
        CREATE TABLE complaint_days (
            district_code TEXT NOT NULL, day INTEGER NOT NULL, category_code TEXT NOT NULL,
            status INTEGER NOT NULL, tier INTEGER NOT NULL, reopened INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (district_code, day, category_code, status, tier, reopened)) WITHOUT ROWID;
        CREATE TABLE complaint_days_by_district (
            day INTEGER NOT NULL, district_code TEXT NOT NULL,
            status INTEGER NOT NULL, tier INTEGER NOT NULL, reopened INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (day, district_code, status, tier, reopened)) WITHOUT ROWID;
        CREATE TABLE complaint_days_by_category (
            day INTEGER NOT NULL, category_code TEXT NOT NULL, status INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (day, category_code, status)) WITHOUT ROWID;
        CREATE TABLE resolution_days (
            district_code TEXT NOT NULL, day INTEGER NOT NULL, hours INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (district_code, day, hours)) WITHOUT ROWID;
        CREATE TABLE resolution_days_all (
            day INTEGER NOT NULL, hours INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, hours)) WITHOUT ROWID;
        CREATE TABLE feedback_days (
            district_code TEXT NOT NULL, day INTEGER NOT NULL, given INTEGER NOT NULL, satisfied INTEGER NOT NULL,
            PRIMARY KEY (district_code, day)) WITHOUT ROWID;
        CREATE TABLE officer_days (
            staff_id INTEGER NOT NULL, day INTEGER NOT NULL, assigned INTEGER NOT NULL, resolved INTEGER NOT NULL,
            PRIMARY KEY (staff_id, day)) WITHOUT ROWID;
        CREATE TABLE officer_hours (
            staff_id INTEGER NOT NULL, day INTEGER NOT NULL, hours INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (staff_id, day, hours)) WITHOUT ROWID;
        CREATE TABLE officer_hours_all (
            staff_id INTEGER NOT NULL, hours INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (staff_id, hours)) WITHOUT ROWID;

        \(StatisticsAudit.backfill)


        CREATE TRIGGER complaint_days_insert AFTER INSERT ON complaints BEGIN
            INSERT INTO complaint_days VALUES (new.district_code, \(newDay), new.category_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO complaint_days_by_district VALUES (\(newDay), new.district_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO complaint_days_by_category VALUES (\(newDay), new.category_code, new.status, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO resolution_days SELECT new.district_code, \(newDay), \(newHours), 1 WHERE new.resolved_at IS NOT NULL
                ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO resolution_days_all SELECT \(newDay), \(newHours), 1 WHERE new.resolved_at IS NOT NULL
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;

        CREATE TRIGGER complaint_days_update AFTER UPDATE OF district_code, category_code, status, tier, reopen_count ON complaints
        WHEN old.district_code <> new.district_code OR old.category_code <> new.category_code OR old.status <> new.status
            OR old.tier <> new.tier OR (old.reopen_count > 0) <> (new.reopen_count > 0)
        BEGIN
            UPDATE complaint_days SET n = n - 1
                WHERE district_code = old.district_code AND day = \(oldDay) AND category_code = old.category_code
                  AND status = old.status AND tier = old.tier AND reopened = (old.reopen_count > 0);
            INSERT INTO complaint_days VALUES (new.district_code, \(newDay), new.category_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER complaint_days_by_district_update AFTER UPDATE OF district_code, status, tier, reopen_count ON complaints
        WHEN old.district_code <> new.district_code OR old.status <> new.status OR old.tier <> new.tier
            OR (old.reopen_count > 0) <> (new.reopen_count > 0)
        BEGIN
            UPDATE complaint_days_by_district SET n = n - 1
                WHERE day = \(oldDay) AND district_code = old.district_code AND status = old.status
                  AND tier = old.tier AND reopened = (old.reopen_count > 0);
            INSERT INTO complaint_days_by_district VALUES (\(newDay), new.district_code, new.status, new.tier, new.reopen_count > 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER complaint_days_by_category_update AFTER UPDATE OF category_code, status ON complaints
        WHEN old.category_code <> new.category_code OR old.status <> new.status
        BEGIN
            UPDATE complaint_days_by_category SET n = n - 1
                WHERE day = \(oldDay) AND category_code = old.category_code AND status = old.status;
            INSERT INTO complaint_days_by_category VALUES (\(newDay), new.category_code, new.status, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;

        CREATE TRIGGER resolution_days_update AFTER UPDATE OF resolved_at, district_code ON complaints
        WHEN old.resolved_at IS NOT new.resolved_at OR old.district_code <> new.district_code
        BEGIN
            UPDATE resolution_days SET n = n - 1
                WHERE old.resolved_at IS NOT NULL AND district_code = old.district_code AND day = \(oldDay) AND hours = \(oldHours);
            INSERT INTO resolution_days SELECT new.district_code, \(newDay), \(newHours), 1 WHERE new.resolved_at IS NOT NULL
                ON CONFLICT DO UPDATE SET n = n + 1;
            UPDATE resolution_days_all SET n = n - 1
                WHERE old.resolved_at IS NOT NULL AND day = \(oldDay) AND hours = \(oldHours);
            INSERT INTO resolution_days_all SELECT \(newDay), \(newHours), 1 WHERE new.resolved_at IS NOT NULL
                ON CONFLICT DO UPDATE SET n = n + 1;
        END;

        CREATE TRIGGER feedback_days_insert AFTER INSERT ON feedback BEGIN
            INSERT INTO feedback_days SELECT district_code, \(daySQL("filed_at")), 1, new.satisfied FROM complaints WHERE id = new.complaint_id
                ON CONFLICT DO UPDATE SET given = given + 1, satisfied = satisfied + excluded.satisfied;
        END;
        CREATE TRIGGER feedback_days_move AFTER UPDATE OF district_code ON complaints
        WHEN old.district_code <> new.district_code
            AND EXISTS (SELECT 1 FROM feedback WHERE complaint_id = new.id)
        BEGIN
            UPDATE feedback_days SET
                given = given - (SELECT count(*) FROM feedback WHERE complaint_id = old.id),
                satisfied = satisfied - (SELECT coalesce(sum(satisfied), 0) FROM feedback WHERE complaint_id = old.id)
                WHERE district_code = old.district_code AND day = \(oldDay);
            INSERT INTO feedback_days SELECT new.district_code, \(newDay), count(*), coalesce(sum(satisfied), 0)
                FROM feedback WHERE complaint_id = new.id
                ON CONFLICT DO UPDATE SET given = given + excluded.given, satisfied = satisfied + excluded.satisfied;
        END;

        CREATE TRIGGER officer_days_insert AFTER INSERT ON complaint_assignees BEGIN
            INSERT INTO officer_days VALUES (new.staff_id, \(complaintDay("new.complaint_id")), 1, new.resolved_at IS NOT NULL)
                ON CONFLICT DO UPDATE SET assigned = assigned + 1, resolved = resolved + excluded.resolved;
            INSERT INTO officer_hours SELECT new.staff_id, \(complaintDay("new.complaint_id")), \(hoursSQL("new.assigned_at", "new.resolved_at")), 1
                WHERE new.resolved_at IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
            INSERT INTO officer_hours_all SELECT new.staff_id, \(hoursSQL("new.assigned_at", "new.resolved_at")), 1
                WHERE new.resolved_at IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER officer_days_update AFTER UPDATE OF resolved_at, assigned_at ON complaint_assignees
        WHEN old.resolved_at IS NOT new.resolved_at OR old.assigned_at <> new.assigned_at
        BEGIN
            UPDATE officer_days SET resolved = resolved - (old.resolved_at IS NOT NULL) + (new.resolved_at IS NOT NULL)
                WHERE staff_id = new.staff_id AND day = \(complaintDay("new.complaint_id"));
            UPDATE officer_hours SET n = n - 1 WHERE old.resolved_at IS NOT NULL AND staff_id = old.staff_id
                AND day = \(complaintDay("old.complaint_id")) AND hours = \(hoursSQL("old.assigned_at", "old.resolved_at"));
            INSERT INTO officer_hours SELECT new.staff_id, \(complaintDay("new.complaint_id")), \(hoursSQL("new.assigned_at", "new.resolved_at")), 1
                WHERE new.resolved_at IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
            UPDATE officer_hours_all SET n = n - 1 WHERE old.resolved_at IS NOT NULL AND staff_id = old.staff_id
                AND hours = \(hoursSQL("old.assigned_at", "old.resolved_at"));
            INSERT INTO officer_hours_all SELECT new.staff_id, \(hoursSQL("new.assigned_at", "new.resolved_at")), 1
                WHERE new.resolved_at IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER officer_days_delete AFTER DELETE ON complaint_assignees BEGIN
            UPDATE officer_days SET assigned = assigned - 1, resolved = resolved - (old.resolved_at IS NOT NULL)
                WHERE staff_id = old.staff_id AND day = \(complaintDay("old.complaint_id"));
            UPDATE officer_hours SET n = n - 1 WHERE old.resolved_at IS NOT NULL AND staff_id = old.staff_id
                AND day = \(complaintDay("old.complaint_id")) AND hours = \(hoursSQL("old.assigned_at", "old.resolved_at"));
            UPDATE officer_hours_all SET n = n - 1 WHERE old.resolved_at IS NOT NULL AND staff_id = old.staff_id
                AND hours = \(hoursSQL("old.assigned_at", "old.resolved_at"));
        END;
        """
    }()
}
