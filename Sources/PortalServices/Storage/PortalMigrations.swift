import PortalStore

/// The portal's tables, as named forward-only migrations. Times are Unix milliseconds (UTC);
/// codes are the jurisdiction/department/category codes of the seed file. Never edit a
/// migration that has shipped: append a new one.
enum PortalMigrations {
    static let all: [Migration] = [
        Migration("0001_jurisdictions_and_accounts", sql: accounts),
        Migration("0002_complaints", sql: complaints),
        Migration("0003_messages_audit_settings", sql: messagesAuditSettings),
        Migration("0004_statistics", sql: statistics),
        Migration("0005_information_and_eservices") { try informationAndEServices($0) },
        Migration("0006_open_complaint_scope_indexes", sql: openComplaintScopeIndexes),
        Migration("0007_daily_statistics", sql: dailyStatistics),
        Migration("0008_complaint_counters_per_transaction", sql: complaintCountersPerTransaction),
        Migration("0009_complaint_scope_by_district", sql: complaintScopeByDistrict),
        Migration("0010_open_complaint_indexes_without_in_lists", sql: openComplaintIndexesWithoutInLists),
    ]

    /// Three of the complaint indexes go: every FileComplaint paid for them (an index entry,
    /// its page in the WAL), and the district indexes serve the same queries at least as fast,
    /// a division or the province being read as `district_code IN (its districts)`:
    /// a division's list page 0.12 s → 0.05 s, the province's list by status 0.27 s → 0.02 s on
    /// the 1,000,000-complaint benchmark data set (docs/PERFORMANCE-PORTAL.md).
    private static let complaintScopeByDistrict = """
    DROP INDEX complaints_status;
    DROP INDEX complaints_division;
    DROP INDEX complaints_open_division_clock;
    """

    /// Unresolved complaints by scope and clock: the overdue count of a district or division
    /// reads only its own overdue rows (the clock-only index would read the whole province's).
    private static let openComplaintScopeIndexes = """
    CREATE INDEX complaints_open_district_clock ON complaints(district_code, clock_started_at) WHERE status IN (1, 2, 3, 6);
    CREATE INDEX complaints_open_division_clock ON complaints(division_code, clock_started_at) WHERE status IN (1, 2, 3, 6);
    """

    private static let accounts = """
    CREATE TABLE jurisdictions (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_urdu TEXT NOT NULL DEFAULT '',
        tier INTEGER NOT NULL CHECK (tier IN (1, 2, 3)),
        parent_code TEXT REFERENCES jurisdictions(code)
    ) WITHOUT ROWID;
    CREATE INDEX jurisdictions_parent ON jurisdictions(parent_code);

    CREATE TABLE departments (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_urdu TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;

    CREATE TABLE categories (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_urdu TEXT NOT NULL DEFAULT '',
        department_code TEXT NOT NULL REFERENCES departments(code),
        active INTEGER NOT NULL DEFAULT 1
    ) WITHOUT ROWID;

    CREATE TABLE citizens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused
        name TEXT NOT NULL,
        cnic TEXT NOT NULL UNIQUE,
        mobile TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL DEFAULT '',
        district_code TEXT NOT NULL REFERENCES jurisdictions(code),
        password_hash TEXT NOT NULL,
        verified INTEGER NOT NULL DEFAULT 0,
        blocked INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        last_message_seq INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX citizens_district ON citizens(district_code, created_at);

    -- One pending SMS verification per citizen; the code is stored hashed.
    CREATE TABLE verification_codes (
        citizen_id INTEGER PRIMARY KEY REFERENCES citizens(id) ON DELETE CASCADE,
        code_hash BLOB NOT NULL,
        expires_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at INTEGER NOT NULL,
        sends INTEGER NOT NULL DEFAULT 1
    );

    CREATE TABLE staff (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role INTEGER NOT NULL CHECK (role BETWEEN 2 AND 6),
        jurisdiction_code TEXT REFERENCES jurisdictions(code),
        department_code TEXT REFERENCES departments(code),
        designation TEXT NOT NULL DEFAULT '',
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX staff_jurisdiction ON staff(jurisdiction_code, role);

    -- Session tokens are stored only as their SHA-256.
    CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        citizen_id INTEGER REFERENCES citizens(id) ON DELETE CASCADE,
        staff_id INTEGER REFERENCES staff(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        CHECK ((citizen_id IS NULL) <> (staff_id IS NULL))
    ) WITHOUT ROWID;
    CREATE INDEX sessions_citizen ON sessions(citizen_id);
    CREATE INDEX sessions_staff ON sessions(staff_id);
    """

    private static let complaints = """
    CREATE TABLE complaint_codes (
        district_code TEXT NOT NULL,
        year INTEGER NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (district_code, year)
    ) WITHOUT ROWID;

    CREATE TABLE complaints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused
        code TEXT NOT NULL UNIQUE,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        idempotency_key TEXT NOT NULL,
        category_code TEXT NOT NULL REFERENCES categories(code),
        department_code TEXT NOT NULL REFERENCES departments(code),
        description TEXT NOT NULL,
        district_code TEXT NOT NULL REFERENCES jurisdictions(code),
        division_code TEXT NOT NULL REFERENCES jurisdictions(code),
        latitude REAL,
        longitude REAL,
        accuracy_m REAL,
        address TEXT NOT NULL DEFAULT '',
        status INTEGER NOT NULL,
        tier INTEGER NOT NULL DEFAULT 1,
        reopen_count INTEGER NOT NULL DEFAULT 0,
        filed_at INTEGER NOT NULL,
        clock_started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER,
        UNIQUE (citizen_id, idempotency_key)
    );
    CREATE INDEX complaints_citizen ON complaints(citizen_id, id);
    CREATE INDEX complaints_district ON complaints(district_code, status, filed_at);
    CREATE INDEX complaints_division ON complaints(division_code, status, filed_at);
    CREATE INDEX complaints_status ON complaints(status, filed_at);
    -- The escalation scan: unresolved complaints by when their clock started.
    CREATE INDEX complaints_open_clock ON complaints(clock_started_at) WHERE status IN (1, 2, 3, 6);

    CREATE TABLE complaint_assignees (
        complaint_id INTEGER NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
        staff_id INTEGER NOT NULL REFERENCES staff(id),
        assigned_at INTEGER NOT NULL,
        resolved_at INTEGER,
        PRIMARY KEY (complaint_id, staff_id)
    ) WITHOUT ROWID;
    CREATE INDEX complaint_assignees_staff ON complaint_assignees(staff_id, complaint_id);

    -- The timeline. kind: 1 status, 2 remark, 3 assigned, 4 escalated, 5 transferred, 6 feedback.
    CREATE TABLE complaint_events (
        id INTEGER PRIMARY KEY,
        complaint_id INTEGER NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        actor_role INTEGER NOT NULL,
        actor_name TEXT NOT NULL,
        kind INTEGER NOT NULL,
        value INTEGER,
        text TEXT
    );
    CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, id);

    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        complaint_id INTEGER NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
        satisfied INTEGER NOT NULL,
        time_rating INTEGER NOT NULL CHECK (time_rating BETWEEN 1 AND 5),
        quality_rating INTEGER NOT NULL CHECK (quality_rating BETWEEN 1 AND 5),
        comment TEXT NOT NULL DEFAULT '',
        given_at INTEGER NOT NULL
    );
    CREATE INDEX feedback_complaint ON feedback(complaint_id, id);

    -- Uploaded files: stored under the data folder by generated name (the id).
    CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        citizen_id INTEGER REFERENCES citizens(id),
        staff_id INTEGER REFERENCES staff(id),
        complaint_id INTEGER REFERENCES complaints(id),
        kind INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 BLOB NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX attachments_complaint ON attachments(complaint_id);
    """

    private static let messagesAuditSettings = """
    CREATE TABLE messages (
        citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        reference_code TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        at INTEGER NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (citizen_id, seq)
    ) WITHOUT ROWID;

    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        actor_role INTEGER NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        hash BLOB NOT NULL
    );

    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """

    /// Running totals kept by triggers in the same transaction as the change, so an all-time
    /// dashboard reads a few thousand counter rows instead of scanning a million complaints.
    private static let statistics = """
    CREATE TABLE complaint_stats (
        district_code TEXT NOT NULL,
        category_code TEXT NOT NULL,
        status INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        reopened INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (district_code, category_code, status, tier, reopened)
    ) WITHOUT ROWID;
    INSERT INTO complaint_stats
        SELECT district_code, category_code, status, tier, reopen_count > 0, count(*) FROM complaints GROUP BY 1, 2, 3, 4, 5;

    CREATE TRIGGER complaint_stats_insert AFTER INSERT ON complaints BEGIN
        INSERT INTO complaint_stats VALUES (new.district_code, new.category_code, new.status, new.tier, new.reopen_count > 0, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER complaint_stats_update AFTER UPDATE OF district_code, category_code, status, tier, reopen_count ON complaints
    WHEN old.district_code <> new.district_code OR old.category_code <> new.category_code OR old.status <> new.status
        OR old.tier <> new.tier OR (old.reopen_count > 0) <> (new.reopen_count > 0)
    BEGIN
        UPDATE complaint_stats SET n = n - 1
            WHERE district_code = old.district_code AND category_code = old.category_code AND status = old.status
              AND tier = old.tier AND reopened = (old.reopen_count > 0);
        INSERT INTO complaint_stats VALUES (new.district_code, new.category_code, new.status, new.tier, new.reopen_count > 0, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;

    -- Registered citizens are those who verified their mobile number.
    CREATE TABLE citizen_stats (district_code TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO citizen_stats SELECT district_code, count(*) FROM citizens WHERE verified = 1 GROUP BY 1;
    CREATE TRIGGER citizen_stats_verified AFTER UPDATE OF verified ON citizens WHEN new.verified = 1 AND old.verified = 0 BEGIN
        INSERT INTO citizen_stats VALUES (new.district_code, 1) ON CONFLICT DO UPDATE SET n = n + 1;
    END;

    -- Feedback counts by the complaint's district when the feedback was given.
    CREATE TABLE feedback_stats (district_code TEXT PRIMARY KEY, given INTEGER NOT NULL, satisfied INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO feedback_stats
        SELECT c.district_code, count(*), sum(f.satisfied) FROM feedback f JOIN complaints c ON c.id = f.complaint_id GROUP BY 1;
    CREATE TRIGGER feedback_stats_insert AFTER INSERT ON feedback BEGIN
        INSERT INTO feedback_stats SELECT district_code, 1, new.satisfied FROM complaints WHERE id = new.complaint_id
            ON CONFLICT DO UPDATE SET given = given + 1, satisfied = satisfied + excluded.satisfied;
    END;

    -- Resolution times (filing to each resolution) in whole hours, capped at 90 days, for medians.
    CREATE TABLE resolution_hours (district_code TEXT NOT NULL, hours INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (district_code, hours)) WITHOUT ROWID;
    INSERT INTO resolution_hours
        SELECT district_code, min((resolved_at - filed_at) / 3600000, 2160), count(*) FROM complaints
        WHERE resolved_at IS NOT NULL GROUP BY 1, 2;
    CREATE TRIGGER resolution_hours_insert AFTER UPDATE OF resolved_at ON complaints
    WHEN new.resolved_at IS NOT NULL AND old.resolved_at IS NULL BEGIN
        INSERT INTO resolution_hours VALUES (new.district_code, min((new.resolved_at - new.filed_at) / 3600000, 2160), 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    """
}
