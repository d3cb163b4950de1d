/* portal-c-scenario HOST:PORT DATA_DIR — a citizen's first session against a live portal-server,
 * through the C client (portal_rpc.h) and protobuf-c messages generated from Schema/:
 * health check, PING, Register, VerifyMobile (code from DATA_DIR/sms-outbox.log), Login,
 * FileComplaint (and its idempotent retry), GetComplaint, WatchUpdates until the
 * COMPLAINT_FILED message (then CANCEL), and GetComplaint without a token (UNAUTHENTICATED).
 * Exit status: 0 when every step passes, N when step N failed, 64 on bad usage. */
#include "portal_methods.h"
#include "portal_rpc.h"
#include "scenario_support.h"

#include "grpc/health/v1/health.pb-c.h"
#include "portal/v1/citizen_service.pb-c.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct scenario {
    const char *address, *data_dir;
    prpc_conn *conn;
    identity who;
    char citizen_id[32];
    char bearer[160];                 /* "Bearer <token>" */
    prpc_metadata auth_md;
    prpc_call_options auth;           /* carries the authorization metadata */
    char idempotency_key[48];
    char description[160];
    char complaint_code[40];
    char detail[512];                 /* printed after "ok" */
    char why[1024];                   /* printed after "FAILED" */
} scenario;

static int fail(scenario *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(scenario *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
    return -1;
}

#define CHECK(cond, ...) do { if (!(cond)) { rc = fail(s, __VA_ARGS__); goto out; } } while (0)

/* A unary call that must succeed. */
static int call(scenario *s, const char *method, const prpc_call_options *opts,
                const ProtobufCMessage *request, const ProtobufCMessageDescriptor *response_type,
                ProtobufCMessage **response) {
    prpc_status st;
    prpc_result r = prpc_unary(s->conn, method, opts, request, response_type, response, &st);
    prpc_status_clear(&st);
    if (r != PRPC_OK) return fail(s, "%s: %s: %s", method, prpc_result_name(r), prpc_errmsg(s->conn));
    return 0;
}

static int step_connect(scenario *s) {
    prpc_result r = prpc_connect(s->address, 10000, &s->conn);
    if (r != PRPC_OK) return fail(s, "%s: %s", prpc_result_name(r), prpc_errmsg(s->conn));
    prpc_settings p = prpc_peer_settings(s->conn);
    snprintf(s->detail, sizeof s->detail,
             "server SETTINGS: max_frame_size %u, max_concurrent_streams %u, initial_window_size %u, max_metadata_size %u",
             p.max_frame_size, p.max_concurrent_streams, p.initial_window_size, p.max_metadata_size);
    return 0;
}

static int step_health(scenario *s) {
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *m;
    if (call(s, GRPC_HEALTH_V1_HEALTH_CHECK, NULL, &req.base,
             &grpc__health__v1__health_check_response__descriptor, &m)) return -1;
    Grpc__Health__V1__HealthCheckResponse *resp = (Grpc__Health__V1__HealthCheckResponse *)m;
    int rc = 0;
    CHECK(resp->status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING,
          "Health/Check answered status %d, not SERVING", resp->status);
    snprintf(s->detail, sizeof s->detail, "SERVING");
out:
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int step_ping(scenario *s) {
    prpc_result r = prpc_ping(s->conn);
    if (r != PRPC_OK) return fail(s, "%s: %s", prpc_result_name(r), prpc_errmsg(s->conn));
    snprintf(s->detail, sizeof s->detail, "PING answered with ACK and the same 8 bytes");
    return 0;
}

static int step_register(scenario *s) {
    support_identity(&s->who);
    Portal__V1__RegisterRequest req = PORTAL__V1__REGISTER_REQUEST__INIT;
    req.name = s->who.name;
    req.cnic = s->who.cnic;
    req.mobile = s->who.mobile;
    req.district_code = "PSH";
    req.password = s->who.password;
    ProtobufCMessage *m;
    if (call(s, PORTAL_V1_CITIZEN_SERVICE_REGISTER, NULL, &req.base,
             &portal__v1__register_response__descriptor, &m)) return -1;
    Portal__V1__RegisterResponse *resp = (Portal__V1__RegisterResponse *)m;
    int rc = 0;
    CHECK(resp->citizen_id[0] != '\0', "Register returned no citizen_id");
    CHECK(resp->code_expires_at != NULL, "Register returned no code_expires_at");
    snprintf(s->citizen_id, sizeof s->citizen_id, "%s", resp->citizen_id);
    snprintf(s->detail, sizeof s->detail, "citizen %s (CNIC %s, mobile %s, district PSH)",
             s->citizen_id, s->who.cnic, s->who.mobile);
out:
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int step_verify(scenario *s) {
    char code[7], err[600];
    if (support_sms_code(s->data_dir, s->who.e164, 5000, code, err, sizeof err)) return fail(s, "%s", err);
    Portal__V1__VerifyMobileRequest req = PORTAL__V1__VERIFY_MOBILE_REQUEST__INIT;
    req.citizen_id = s->citizen_id;
    req.code = code;
    ProtobufCMessage *m;
    if (call(s, PORTAL_V1_CITIZEN_SERVICE_VERIFY_MOBILE, NULL, &req.base,
             &portal__v1__verify_mobile_response__descriptor, &m)) return -1;
    Portal__V1__Citizen *c = ((Portal__V1__VerifyMobileResponse *)m)->citizen;
    int rc = 0;
    CHECK(c != NULL, "VerifyMobile returned no citizen");
    CHECK(c->mobile_verified, "the citizen is not marked mobile_verified");
    CHECK(strcmp(c->id, s->citizen_id) == 0, "citizen id %s, expected %s", c->id, s->citizen_id);
    CHECK(strcmp(c->mobile, s->who.e164) == 0, "mobile %s, expected %s", c->mobile, s->who.e164);
    CHECK(strcmp(c->cnic, s->who.cnic) == 0, "CNIC %s, expected %s", c->cnic, s->who.cnic);
    snprintf(s->detail, sizeof s->detail, "code %s from the SMS outbox; %s verified", code, c->mobile);
out:
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int step_login(scenario *s) {
    Portal__V1__CitizenLoginRequest req = PORTAL__V1__CITIZEN_LOGIN_REQUEST__INIT;
    req.identity_case = PORTAL__V1__CITIZEN_LOGIN_REQUEST__IDENTITY_CNIC;
    req.cnic = s->who.cnic;
    req.password = s->who.password;
    ProtobufCMessage *m;
    if (call(s, PORTAL_V1_CITIZEN_SERVICE_LOGIN, NULL, &req.base, &portal__v1__session__descriptor, &m))
        return -1;
    Portal__V1__Session *session = (Portal__V1__Session *)m;
    int rc = 0;
    CHECK(session->token[0] != '\0', "Login returned no token");
    CHECK(strlen(session->token) < sizeof s->bearer - 8, "a %zu-character token", strlen(session->token));
    CHECK(session->role == PORTAL__V1__ROLE__ROLE_CITIZEN, "role %d, not ROLE_CITIZEN", session->role);
    CHECK(strcmp(session->subject_id, s->citizen_id) == 0, "subject_id %s, expected %s",
          session->subject_id, s->citizen_id);
    snprintf(s->bearer, sizeof s->bearer, "Bearer %s", session->token);
    s->auth_md = (prpc_metadata){"authorization", s->bearer};
    s->auth = (prpc_call_options){.timeout_ms = 10000, .metadata = &s->auth_md, .n_metadata = 1};
    snprintf(s->detail, sizeof s->detail, "session for citizen %s (%zu-character token)",
             session->subject_id, strlen(session->token));
out:
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

/* What FileComplaint and GetComplaint must both say about our complaint. */
static int check_complaint(scenario *s, const char *method, const Portal__V1__Complaint *c) {
    if (s->complaint_code[0] && strcmp(c->code, s->complaint_code) != 0)
        return fail(s, "%s: code %s, expected %s", method, c->code, s->complaint_code);
    if (strncmp(c->code, "PSH-", 4) != 0) return fail(s, "%s: code %s is not a PSH code", method, c->code);
    if (strcmp(c->citizen_id, s->citizen_id) != 0)
        return fail(s, "%s: citizen_id %s, expected %s", method, c->citizen_id, s->citizen_id);
    if (strcmp(c->category_code, "water-supply") != 0)
        return fail(s, "%s: category %s, expected water-supply", method, c->category_code);
    if (strcmp(c->district_code, "PSH") != 0)
        return fail(s, "%s: district %s, expected PSH (the citizen's)", method, c->district_code);
    if (strcmp(c->description, s->description) != 0)
        return fail(s, "%s: description \"%s\" differs from what was filed", method, c->description);
    if (c->status != PORTAL__V1__COMPLAINT_STATUS__COMPLAINT_STATUS_NEW)
        return fail(s, "%s: status %d, expected COMPLAINT_STATUS_NEW", method, c->status);
    const Portal__V1__GeoPoint *p = c->_location_case == PORTAL__V1__COMPLAINT___LOCATION_LOCATION ? c->location : NULL;
    if (p == NULL || p->latitude != 33.9946 || p->longitude != 71.4747 ||
        p->_accuracy_m_case != PORTAL__V1__GEO_POINT___ACCURACY_M_ACCURACY_M || p->accuracy_m != 12.5f)
        return fail(s, "%s: the location (33.9946, 71.4747, accuracy 12.5 m) did not come back", method);
    return 0;
}

static int file_once(scenario *s, char *code, size_t size) {
    Portal__V1__FileComplaintRequest req = PORTAL__V1__FILE_COMPLAINT_REQUEST__INIT;
    req.idempotency_key = s->idempotency_key;
    req.category_code = "water-supply";
    req.description = s->description;
    req.address = "Street 7, Hayatabad Phase 3, Peshawar";
    /* proto3 `optional` fields are oneofs in the protoc-c code (tools/protoc_c_schema.awk). */
    Portal__V1__GeoPoint where = PORTAL__V1__GEO_POINT__INIT;
    where.latitude = 33.9946;
    where.longitude = 71.4747;
    where._accuracy_m_case = PORTAL__V1__GEO_POINT___ACCURACY_M_ACCURACY_M;
    where.accuracy_m = 12.5f;
    req._location_case = PORTAL__V1__FILE_COMPLAINT_REQUEST___LOCATION_LOCATION;
    req.location = &where;
    ProtobufCMessage *m;
    if (call(s, PORTAL_V1_CITIZEN_SERVICE_FILE_COMPLAINT, &s->auth, &req.base,
             &portal__v1__complaint__descriptor, &m)) return -1;
    int rc = check_complaint(s, "FileComplaint", (Portal__V1__Complaint *)m);
    snprintf(code, size, "%s", ((Portal__V1__Complaint *)m)->code);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int step_file(scenario *s) {
    support_idempotency_key(s->idempotency_key, sizeof s->idempotency_key);
    snprintf(s->description, sizeof s->description,
             "No water in the taps of our street in Hayatabad Phase 3 for three days (ref %04u).",
             (unsigned)(support_random() % 10000));
    char again[sizeof s->complaint_code];
    if (file_once(s, s->complaint_code, sizeof s->complaint_code)) return -1;
    if (file_once(s, again, sizeof again)) return -1;   /* a retry: same key, same complaint */
    snprintf(s->detail, sizeof s->detail, "complaint %s (NEW); the retry with key %s returned it again",
             s->complaint_code, s->idempotency_key);
    return 0;
}

static int step_get(scenario *s) {
    Portal__V1__GetComplaintRequest req = PORTAL__V1__GET_COMPLAINT_REQUEST__INIT;
    req.code = s->complaint_code;
    ProtobufCMessage *m;
    if (call(s, PORTAL_V1_CITIZEN_SERVICE_GET_COMPLAINT, &s->auth, &req.base,
             &portal__v1__complaint__descriptor, &m)) return -1;
    Portal__V1__Complaint *c = (Portal__V1__Complaint *)m;
    int rc = check_complaint(s, "GetComplaint", c);
    if (rc == 0 && c->n_timeline == 0) rc = fail(s, "GetComplaint: the timeline is empty");
    if (rc == 0)
        snprintf(s->detail, sizeof s->detail, "%s matches (category %s, district %s, location %.4f,%.4f, %zu timeline event%s)",
                 c->code, c->category_code, c->district_code, c->location->latitude, c->location->longitude,
                 c->n_timeline, c->n_timeline == 1 ? "" : "s");
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static int step_watch(scenario *s) {
    Portal__V1__WatchUpdatesRequest req = PORTAL__V1__WATCH_UPDATES_REQUEST__INIT;
    req.after_sequence = 0;
    prpc_call_options opts = s->auth;
    opts.timeout_ms = 0;                /* a watch runs until we cancel it */
    prpc_stream *st;
    prpc_result r = prpc_stream_open(s->conn, PORTAL_V1_CITIZEN_SERVICE_WATCH_UPDATES, &opts, &req.base,
                                     &portal__v1__citizen_message__descriptor, &st);
    if (r != PRPC_OK) return fail(s, "WatchUpdates: %s: %s", prpc_result_name(r), prpc_errmsg(s->conn));
    int rc = 0, seen = 0;
    uint64_t sequence = 0;
    for (;;) {
        ProtobufCMessage *m;
        r = prpc_stream_next(st, &m);
        CHECK(r == PRPC_OK, "WatchUpdates after %d message(s): %s: %s", seen, prpc_result_name(r),
              prpc_errmsg(s->conn));
        Portal__V1__CitizenMessage *msg = (Portal__V1__CitizenMessage *)m;
        seen++;
        printf("         message #%llu kind %d %s: %s\n", (unsigned long long)msg->sequence, msg->kind,
               msg->reference_code, msg->text);
        int found = msg->kind == PORTAL__V1__MESSAGE_KIND__MESSAGE_KIND_COMPLAINT_FILED &&
                    strcmp(msg->reference_code, s->complaint_code) == 0;
        sequence = msg->sequence;
        protobuf_c_message_free_unpacked(m, NULL);
        if (found) break;
    }
    r = prpc_stream_cancel(st);
    CHECK(r == PRPC_OK, "CANCEL: %s: %s", prpc_result_name(r), prpc_errmsg(s->conn));
    const prpc_status *end = prpc_stream_status(st);
    CHECK(end->code == PRPC_STATUS_CANCELLED, "after CANCEL the stream ended with status %u %s (%s)",
          end->code, prpc_status_name(end->code), end->message);
    snprintf(s->detail, sizeof s->detail, "COMPLAINT_FILED for %s as message #%llu; CANCEL -> status %u %s",
             s->complaint_code, (unsigned long long)sequence, end->code, prpc_status_name(end->code));
out:
    prpc_stream_free(st);
    return rc;
}

static int step_unauthenticated(scenario *s) {
    Portal__V1__GetComplaintRequest req = PORTAL__V1__GET_COMPLAINT_REQUEST__INIT;
    req.code = s->complaint_code;
    ProtobufCMessage *m = NULL;
    prpc_status st;
    prpc_result r = prpc_unary(s->conn, PORTAL_V1_CITIZEN_SERVICE_GET_COMPLAINT, NULL, &req.base,
                               &portal__v1__complaint__descriptor, &m, &st);
    int rc = 0;
    CHECK(r != PRPC_OK, "GetComplaint without a token returned the complaint");
    CHECK(r == PRPC_ERR_STATUS, "%s: %s", prpc_result_name(r), prpc_errmsg(s->conn));
    CHECK(st.code == PRPC_STATUS_UNAUTHENTICATED, "status %u %s (%s), expected 16 UNAUTHENTICATED",
          st.code, prpc_status_name(st.code), st.message);
    int n = snprintf(s->detail, sizeof s->detail, "status %u %s \"%s\", %zu metadata entr%s", st.code,
                     prpc_status_name(st.code), st.message, st.n_metadata, st.n_metadata == 1 ? "y" : "ies");
    for (size_t i = 0; i < st.n_metadata && n > 0 && (size_t)n < sizeof s->detail; i++)
        n += snprintf(s->detail + n, sizeof s->detail - (size_t)n, "%s %s: %s", i ? "," : "",
                      st.metadata[i].key, st.metadata[i].value);
out:
    if (m) protobuf_c_message_free_unpacked(m, NULL);
    prpc_status_clear(&st);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(scenario *);
} steps[] = {
    {"connect (preface, SETTINGS exchange)", step_connect},
    {"Health/Check", step_health},
    {"PING", step_ping},
    {"Register", step_register},
    {"VerifyMobile with the code from sms-outbox.log", step_verify},
    {"Login with CNIC", step_login},
    {"FileComplaint (water-supply) and its idempotent retry", step_file},
    {"GetComplaint by code", step_get},
    {"WatchUpdates(after_sequence=0) until COMPLAINT_FILED, then CANCEL", step_watch},
    {"GetComplaint without a token -> UNAUTHENTICATED", step_unauthenticated},
};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST:PORT DATA_DIR\n", argv[0]);
        return 64;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    static scenario s;
    s.address = argv[1];
    s.data_dir = argv[2];
    const int n = (int)(sizeof steps / sizeof steps[0]);
    int passed = 0, failed_step = 0;
    for (int i = 0; i < n && !failed_step; i++) {
        s.detail[0] = '\0';
        printf("[%2d/%d] %s\n", i + 1, n, steps[i].name);
        if (steps[i].run(&s) == 0) {
            printf("         ok%s%s\n", s.detail[0] ? ": " : "", s.detail);
            passed++;
        } else {
            printf("         FAILED: %s\n", s.why);
            failed_step = i + 1;
        }
    }
    prpc_close(s.conn);
    printf("c-scenario: %d passed, %d failed\n", passed, failed_step ? 1 : 0);
    if (failed_step) fprintf(stderr, "portal-c-scenario: step %d (%s) failed\n", failed_step, steps[failed_step - 1].name);
    return failed_step;
}
