import PortalStore

/// The tables of InfoService (announcements, polls, prices, postings, guides) and of
/// EServicesService / IntegrationService (applications, revenue cases, integration keys),
/// created in one migration that also loads the bundled "How do I?" guides. Nested content
/// that is only ever read whole (poll questions, posting text, application details, revenue
/// hearings, guides) is stored as the serialized protobuf message; what lists filter on is a
/// column of its own.
extension PortalMigrations {
    static func informationAndEServices(_ db: Database) throws {
        try db.execute(information)
        try db.execute(eservices)
        try GuideSeed.apply(db, guides: try GuideSeed.bundled(), at: SystemClock().nowMillis())
    }

    private static let information = """
    -- feed_seq orders the announcement stream: the next number at publication and again at
    -- withdrawal, so a reconnecting watcher resumes after the last one it processed.
    CREATE TABLE announcements (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        category INTEGER NOT NULL CHECK (category BETWEEN 1 AND 3),
        scope_code TEXT NOT NULL REFERENCES jurisdictions(code),
        title TEXT NOT NULL,
        title_urdu TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL,
        body_urdu TEXT NOT NULL DEFAULT '',
        published_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        publisher_id INTEGER NOT NULL REFERENCES staff(id),
        publisher_role INTEGER NOT NULL,
        publisher_name TEXT NOT NULL,
        withdrawn_at INTEGER,
        withdrawal_reason TEXT NOT NULL DEFAULT '',
        feed_seq INTEGER NOT NULL UNIQUE
    );
    CREATE INDEX announcements_scope ON announcements(scope_code, category, id);

    -- questions: a portal.v1.Poll holding only its questions.
    CREATE TABLE polls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        title_urdu TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        description_urdu TEXT NOT NULL DEFAULT '',
        scope_code TEXT NOT NULL REFERENCES jurisdictions(code),
        questions BLOB NOT NULL,
        opens_at INTEGER NOT NULL,
        closes_at INTEGER NOT NULL,
        visibility INTEGER NOT NULL,
        creator_id INTEGER NOT NULL REFERENCES staff(id),
        creator_role INTEGER NOT NULL,
        creator_name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        respondents INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX polls_scope ON polls(scope_code, id);

    -- One row per citizen and poll; answers are option indexes, comma-separated.
    CREATE TABLE poll_responses (
        poll_id INTEGER NOT NULL REFERENCES polls(id),
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        answers TEXT NOT NULL,
        answered_at INTEGER NOT NULL,
        changes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (poll_id, citizen_id)
    ) WITHOUT ROWID;

    -- Running counts per option, kept in the same transaction as each response.
    CREATE TABLE poll_counts (
        poll_id INTEGER NOT NULL,
        question INTEGER NOT NULL,
        option INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (poll_id, question, option)
    ) WITHOUT ROWID;

    CREATE TABLE price_lists (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        district_code TEXT NOT NULL REFERENCES jurisdictions(code),
        effective_from INTEGER NOT NULL,
        published_at INTEGER NOT NULL,
        publisher_id INTEGER NOT NULL REFERENCES staff(id),
        publisher_role INTEGER NOT NULL,
        publisher_name TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX price_lists_district ON price_lists(district_code, effective_from, id);

    CREATE TABLE price_items (
        price_list_id INTEGER NOT NULL REFERENCES price_lists(id),
        commodity_code TEXT NOT NULL,
        name TEXT NOT NULL,
        name_urdu TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL,
        price_paisa INTEGER NOT NULL CHECK (price_paisa > 0),
        position INTEGER NOT NULL,
        PRIMARY KEY (price_list_id, commodity_code)
    ) WITHOUT ROWID;

    -- body: the portal.v1.Posting as published (status is derived when read).
    CREATE TABLE postings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),
        department_code TEXT NOT NULL REFERENCES departments(code),
        jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions(code),
        opens_at INTEGER NOT NULL,
        closes_at INTEGER NOT NULL,
        published_at INTEGER NOT NULL,
        publisher_id INTEGER NOT NULL REFERENCES staff(id),
        withdrawn_at INTEGER,
        body BLOB NOT NULL
    );
    CREATE INDEX postings_jurisdiction ON postings(jurisdiction_code, id);
    CREATE INDEX postings_department ON postings(department_code, id);

    -- body: the portal.v1.Guide; search_text: lower-cased titles, summaries and keywords.
    CREATE TABLE guides (
        code TEXT PRIMARY KEY,
        department_code TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        search_text TEXT NOT NULL,
        body BLOB NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    """

    private static let eservices = """
    CREATE TABLE application_codes (
        prefix TEXT NOT NULL,
        year INTEGER NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (prefix, year)
    ) WITHOUT ROWID;

    -- details: a portal.v1.Application holding only its `details`.
    CREATE TABLE applications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tracking_number TEXT NOT NULL UNIQUE,
        kind INTEGER NOT NULL,
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        idempotency_key TEXT NOT NULL,
        district_code TEXT NOT NULL REFERENCES jurisdictions(code),
        division_code TEXT NOT NULL REFERENCES jurisdictions(code),
        department_code TEXT NOT NULL REFERENCES departments(code),
        posting_id INTEGER REFERENCES postings(id),
        status INTEGER NOT NULL,
        details BLOB NOT NULL,
        external_reference TEXT NOT NULL DEFAULT '',
        submitted_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (citizen_id, idempotency_key)
    );
    CREATE UNIQUE INDEX applications_one_per_posting ON applications(citizen_id, posting_id) WHERE posting_id IS NOT NULL;
    CREATE INDEX applications_citizen ON applications(citizen_id, id);
    CREATE INDEX applications_district ON applications(district_code, id);
    CREATE INDEX applications_division ON applications(division_code, id);
    CREATE INDEX applications_department ON applications(department_code, id);

    CREATE TABLE application_events (
        id INTEGER PRIMARY KEY,
        application_id INTEGER NOT NULL REFERENCES applications(id),
        at INTEGER NOT NULL,
        actor_role INTEGER NOT NULL,
        actor_name TEXT NOT NULL,
        status INTEGER NOT NULL DEFAULT 0,
        remark TEXT NOT NULL DEFAULT '',
        by_integration INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX application_events_application ON application_events(application_id, id);

    -- Uploads move here from `attachments` when an application takes them (the file keeps its
    -- name), so they can neither be attached twice nor count as pending uploads.
    CREATE TABLE application_attachments (
        id TEXT PRIMARY KEY,
        application_id INTEGER NOT NULL REFERENCES applications(id),
        kind INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 BLOB NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX application_attachments_application ON application_attachments(application_id);

    -- hearings: a portal.v1.RevenueCase holding only its hearings.
    CREATE TABLE revenue_cases (
        case_number TEXT PRIMARY KEY,
        department_code TEXT NOT NULL REFERENCES departments(code),
        district_code TEXT NOT NULL REFERENCES jurisdictions(code),
        title TEXT NOT NULL,
        case_type TEXT NOT NULL DEFAULT '',
        court TEXT NOT NULL,
        status INTEGER NOT NULL,
        hearings BLOB NOT NULL,
        next_hearing_at INTEGER,
        decision TEXT NOT NULL DEFAULT '',
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE revenue_case_followers (
        case_number TEXT NOT NULL REFERENCES revenue_cases(case_number),
        citizen_id INTEGER NOT NULL REFERENCES citizens(id),
        since INTEGER NOT NULL,
        PRIMARY KEY (case_number, citizen_id)
    ) WITHOUT ROWID;
    CREATE INDEX revenue_case_followers_citizen ON revenue_case_followers(citizen_id, case_number);

    -- Department back ends. Keys are 256 random bits, stored only as their SHA-256.
    CREATE TABLE integration_clients (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        department_code TEXT NOT NULL REFERENCES departments(code),
        key_hash BLOB NOT NULL UNIQUE,
        key_prefix TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );

    -- Pushed changes already applied, per client: a retried push changes nothing.
    CREATE TABLE integration_events (
        client_id INTEGER NOT NULL REFERENCES integration_clients(id),
        event_id TEXT NOT NULL,
        application_id INTEGER NOT NULL REFERENCES applications(id),
        at INTEGER NOT NULL,
        PRIMARY KEY (client_id, event_id)
    ) WITHOUT ROWID;
    """
}
