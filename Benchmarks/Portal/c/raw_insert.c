// Raw SQLite insert rate for complaint rows: the machine's limit for FileComplaint's central
// INSERT, with nothing but the SQLite C API (the same system libsqlite3 PortalStore links).
//
//   raw_insert --db DIR/portal.sqlite --first-citizen N --citizens N [--seconds 10] [--warmup 1]
//              [--batch 1] [--sync normal|full] [--cache-mib N] [--autocheckpoint PAGES]
//
// The connection is configured as PortalStore's writer (Database.writer): WAL, the given
// synchronous, foreign_keys=ON, busy_timeout 5000. The loop: BEGIN IMMEDIATE, --batch INSERTs
// into `complaints` (all of its indexes fire, foreign keys are checked; since migration 0008 no
// insert trigger counts the row: the services count new complaints per transaction, so these
// rows are not in the statistics), COMMIT. Values are shaped like FileComplaint's: a 15-20 character code, a random
// generated citizen, a unique idempotency key, a random active category and district, a
// 110-160 character description, 70 % with a GPS point, an address, status NEW, tier 1.
// --batch 1 is one durable transaction per complaint; --batch 1000 the batched upper bound.
// --cache-mib sets PRAGMA cache_size (default: SQLite's, 2 MiB, as PortalStore leaves it) to see
// what the page cache is worth; --autocheckpoint sets PRAGMA wal_autocheckpoint (default 1000
// pages; 0 = never, to see what the checkpoints on the inserting thread cost). Prints one RESULT line, with the CPU this process used
// (cores = CPU seconds / wall seconds over the window).
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static uint64_t rng_state;
static uint64_t rng_next(void) {  // SplitMix64
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rng_unit(void) { return (double)(rng_next() >> 11) / (double)(1ull << 53); }
static int rng_below(int n) { return (int)(rng_next() % (uint64_t)n); }

static void check(sqlite3 *db, int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "raw_insert: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static void exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "raw_insert: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

#define MAXN 256
static char cat[MAXN][40], dep[MAXN][40], dist[MAXN][40], div_[MAXN][40];
static int ncat, ndist;

static const char *texts[] = {
    "The water supply line in our street has been leaking for a week and the road is flooded every morning.",
    "Garbage has not been collected from the market for ten days; the heap is now blocking the drain.",
    "The transformer of our feeder burnt out and the electricity has been off for three days in the whole village.",
    "Street lights on the main road near the girls school are off for two weeks, the road is unsafe at night.",
};

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *path = NULL, *sync = "normal";
    double seconds = 10, warmup = 1;
    long batch = 1, first_citizen = 0, citizens = 0, cache_mib = 0, autocheckpoint = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--db")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch")) batch = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--sync")) sync = argv[i + 1];
        else if (!strcmp(argv[i], "--first-citizen")) first_citizen = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--citizens")) citizens = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--cache-mib")) cache_mib = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--autocheckpoint")) autocheckpoint = atol(argv[i + 1]);
        else { fprintf(stderr, "raw_insert: unknown option %s\n", argv[i]); return 2; }
    }
    if (!path || citizens <= 0 || batch <= 0) {
        fprintf(stderr, "usage: raw_insert --db PATH --first-citizen N --citizens N [--seconds S] [--warmup W] [--batch B] [--sync normal|full]\n");
        return 2;
    }
    sqlite3 *db;
    check(NULL, sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL), "open");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    exec(db, "PRAGMA journal_mode = WAL");
    char pragma[128];
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s; PRAGMA foreign_keys = ON", !strcmp(sync, "full") ? "FULL" : "NORMAL");
    exec(db, pragma);
    if (autocheckpoint >= 0) {
        snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint = %ld", autocheckpoint);
        exec(db, pragma);
    }
    if (cache_mib > 0) {
        snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%ld", cache_mib * 1024);
        exec(db, pragma);
    }

    sqlite3_stmt *q;
    check(db, sqlite3_prepare_v2(db, "SELECT code, department_code FROM categories WHERE active = 1 ORDER BY code", -1, &q, NULL), "prepare");
    while (sqlite3_step(q) == SQLITE_ROW && ncat < MAXN) {
        snprintf(cat[ncat], 40, "%s", sqlite3_column_text(q, 0));
        snprintf(dep[ncat], 40, "%s", sqlite3_column_text(q, 1));
        ncat++;
    }
    sqlite3_finalize(q);
    check(db, sqlite3_prepare_v2(db, "SELECT code, parent_code FROM jurisdictions WHERE tier = 1 ORDER BY code", -1, &q, NULL), "prepare");
    while (sqlite3_step(q) == SQLITE_ROW && ndist < MAXN) {
        snprintf(dist[ndist], 40, "%s", sqlite3_column_text(q, 0));
        snprintf(div_[ndist], 40, "%s", sqlite3_column_text(q, 1));
        ndist++;
    }
    sqlite3_finalize(q);

    sqlite3_stmt *ins, *begin, *commit;
    check(db, sqlite3_prepare_v3(db,
        "INSERT INTO complaints (code, citizen_id, idempotency_key, category_code, department_code, description, "
        "district_code, division_code, latitude, longitude, accuracy_m, address, status, tier, "
        "filed_at, clock_started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        -1, SQLITE_PREPARE_PERSISTENT, &ins, NULL), "prepare insert");
    check(db, sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL), "prepare begin");
    check(db, sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), "prepare commit");

    long run = (long)(unix_ms() % 100000) + 100000;  // differs from portal-bench raw's
    rng_state = (uint64_t)run;
    uint64_t start = now_ns();
    uint64_t measure_at = start + (uint64_t)(warmup * 1e9), end = measure_at + (uint64_t)(seconds * 1e9);
    long rows = 0, commits = 0, n = 0;
    double cpu_at_measure = -1, cpu_at_end = 0;
    size_t lat_cap = 1 << 20, lat_n = 0;
    uint64_t *lat = malloc(lat_cap * sizeof *lat);
    char code[64], key[64], text[256], address[64];
    for (;;) {
        uint64_t t0 = now_ns();
        if (t0 >= end) break;
        if (cpu_at_measure < 0 && t0 >= measure_at) cpu_at_measure = cpu_seconds();
        check(db, sqlite3_step(begin), "BEGIN");
        sqlite3_reset(begin);
        for (long b = 0; b < batch; b++) {
            n++;
            int c = rng_below(ncat), d = rng_below(ndist);
            int64_t now = unix_ms();
            snprintf(code, sizeof code, "%s-R%ld-%ld", dist[d], run, n);
            snprintf(key, sizeof key, "raw-%ld-%ld", run, n);
            snprintf(text, sizeof text, "%s Reference %ld.", texts[rng_below(4)], n);
            snprintf(address, sizeof address, "House %d, Street %d", 1 + rng_below(400), 1 + rng_below(40));
            sqlite3_bind_text(ins, 1, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 2, first_citizen + rng_below((int)citizens));
            sqlite3_bind_text(ins, 3, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 4, cat[c], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, dep[c], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 7, dist[d], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 8, div_[d], -1, SQLITE_STATIC);
            if (rng_unit() < 0.7) {
                sqlite3_bind_double(ins, 9, 33.9 + rng_unit() * 0.2);
                sqlite3_bind_double(ins, 10, 71.4 + rng_unit() * 0.2);
                sqlite3_bind_double(ins, 11, 5 + rng_unit() * 30);
            } else {
                sqlite3_bind_null(ins, 9);
                sqlite3_bind_null(ins, 10);
                sqlite3_bind_null(ins, 11);
            }
            sqlite3_bind_text(ins, 12, address, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 13, 1);
            sqlite3_bind_int64(ins, 14, now);
            sqlite3_bind_int64(ins, 15, now);
            sqlite3_bind_int64(ins, 16, now);
            check(db, sqlite3_step(ins), "INSERT");
            sqlite3_reset(ins);
        }
        check(db, sqlite3_step(commit), "COMMIT");
        sqlite3_reset(commit);
        uint64_t t1 = now_ns();
        if (t1 >= measure_at && t1 < end) {
            rows += batch;
            commits++;
            if (lat_n < lat_cap) lat[lat_n++] = t1 - t0;
        }
    }
    cpu_at_end = cpu_seconds();
    qsort(lat, lat_n, sizeof *lat, cmp_u64);
    double p50 = lat_n ? lat[lat_n / 2] / 1e6 : 0, p99 = lat_n ? lat[(size_t)(lat_n * 0.99)] / 1e6 : 0;
    printf("RESULT bench=raw-c batch=%ld sync=%s cache_mib=%ld autocheckpoint=%ld rows=%ld rows_s=%.0f commits_s=%.0f txn_p50_ms=%.3f txn_p99_ms=%.3f cores=%.2f\n",
           batch, !strcmp(sync, "full") ? "full" : "normal", cache_mib, autocheckpoint, rows, rows / seconds, commits / seconds, p50, p99,
           cpu_at_measure >= 0 ? (cpu_at_end - cpu_at_measure) / seconds : 0);
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    free(lat);
    return 0;
}
